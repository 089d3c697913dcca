using System.Runtime.InteropServices;
using Edge.Runtime;
using Edge.Api;
using Edge.Gpio;
using Edge.Web;
using Edge.Auth;
using Edge.Web.WebSockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Edge.Hosting;

/// <summary>
/// Runs what <c>Program</c> composed: starts Kestrel and the supervised services, reloads the
/// configuration on SIGHUP, and shuts down in order (close WebSockets with 1001, let requests finish,
/// stop services, stop the pool and the loop).
/// </summary>
public sealed partial class EdgeHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly EventLoop _loop;
    private readonly WorkerPool _pool;
    private readonly Supervisor _supervisor;
    private readonly SessionHub _hub;
    private readonly ApiDispatcher _dispatcher;
    private readonly Func<EdgeSettings, AuthSettings> _effectiveAuth;
    private readonly Authenticator _auth;
    private readonly ILogger _logger;
    private readonly CommandLine _commandLine;
    private readonly EdgeServices _services;
    private readonly SystemdNotifier _notifier;
    private readonly PidFile? _pidFile;
    private readonly CancellationTokenSource _stopping = new();
    private readonly PosixSignalRegistration _sighup;
    private Task? _running;
    private bool _stopped;

    public EdgeHost(WebApplication app, EventLoop loop, WorkerPool pool, Supervisor supervisor, SessionHub hub, ApiDispatcher dispatcher,
        Authenticator auth, Func<EdgeSettings, AuthSettings> effectiveAuth, CommandLine commandLine, ILogger logger,
        EdgeServices services, SystemdNotifier notifier, PidFile? pidFile)
    {
        _notifier = notifier;
        _pidFile = pidFile;
        _services = services;
        _commandLine = commandLine;
        _app = app;
        _loop = loop;
        _pool = pool;
        _supervisor = supervisor;
        _hub = hub;
        _dispatcher = dispatcher;
        _auth = auth;
        _effectiveAuth = effectiveAuth;
        _logger = logger;
        app.Lifetime.ApplicationStopping.Register(() => _loop.Post(() =>
        {
            _hub.CloseAll(WebSocketFrames.GoingAway, "Server shutting down");
            _services.Stop();
        }));
        // Registered for the host's whole life: SIGHUP's default action would kill the process.
        _sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
        {
            context.Cancel = true;
            if (_stopped) return;
            try { _loop.Post(() => _ = Reload()); }
            catch (ObjectDisposedException) { }
        });
        if (IgnoredSignals.Contains(IgnoredSignals.Hangup))
            Log.HangupIgnored(logger);
    }

    /// <summary>The loop everything runs on (tests check thread affinity against it).</summary>
    internal EventLoop Loop => _loop;

    /// <summary>Lets tests add services whose status shows in /readyz.</summary>
    internal Supervisor Supervisor => _supervisor;

    /// <summary>Lets tests add probe methods.</summary>
    internal ApiDispatcher Dispatcher => _dispatcher;

    /// <summary>Raised on the loop after a reload applied new settings, for the parts that follow them.</summary>
    public event Action<EdgeSettings>? Reloaded;

    /// <summary>Lets fault-injection tests give the workers a job that throws.</summary>
    internal WorkerPool Pool => _pool;

    /// <summary>Lets tests drive the in-memory GPIO driver and watch GPIO events.</summary>
    internal GpioService? Gpio { get; init; }

    /// <summary>The addresses Kestrel listens on (with real ports when 0 was asked for).</summary>
    public IReadOnlyList<Uri> Urls
        => [.. _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Select(a =>
            new Uri(a.Replace("[::]", "localhost").Replace("0.0.0.0", "localhost")))];

    public async Task StartAsync()
    {
        await _app.StartAsync();
        await _loop.InvokeAsync(() =>
        {
            _hub.Start();
            _services.Start();
            _running = _supervisor.Run(_stopping.Token);
            return Task.CompletedTask;
        });
        _pidFile?.Write();
        Log.Listening(_logger, Program.Version, string.Join(", ", Urls));
        _notifier.Ready(ServingStatus, _loop);
    }

    private string ServingStatus => $"Serving on {string.Join(", ", Urls)}";

    /// <summary>Starts, waits for SIGTERM/SIGINT (or <see cref="StopAsync"/>), shuts down; the exit code.</summary>
    public async Task<int> RunAsync()
    {
        await StartAsync();
        var stopping = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (_app.Lifetime.ApplicationStopping.Register(() => stopping.TrySetResult()))
            await stopping.Task;
        await StopAsync();
        return 0;
    }

    /// <summary>
    /// Shuts down within 5 s: Kestrel gets 3 s (WebSockets get their 1001 and 2 s to answer), the
    /// services, the journal flush, the pool and the loop half a second each.
    /// </summary>
    public async Task StopAsync()
    {
        if (_stopped) return;
        _stopped = true;
        _notifier.Stopping();
        await _app.StopAsync();
        _stopping.Cancel();
        if (_running != null && !await Finished(_running)) Log.ServicesDidNotStop(_logger, StepTimeout);
        if (!await Finished(_loop.InvokeAsync(_services.Drain))) Log.JournalsNotFlushed(_logger, StepTimeout);
        _hub.Dispose();
        _pool.Dispose(StepTimeout);
        _loop.Dispose();
        if (!await Finished(_loop.Completion)) Log.LoopDidNotDrain(_logger, StepTimeout);
        _pidFile?.Remove();
        Log.Stopped(_logger);
    }

    private static readonly TimeSpan StepTimeout = TimeSpan.FromMilliseconds(500);

    private static async Task<bool> Finished(Task task)
    {
        try
        {
            await task.WaitAsync(StepTimeout);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    /// <summary>
    /// SIGHUP: re-reads the configuration and applies what can change while running (users, auth
    /// switch, WebSocket limits, log levels). The new configuration is read and checked on the pool
    /// first; if it is invalid, nothing changes.
    /// </summary>
    public async Task Reload()
    {
        _loop.VerifyAccess();
        _notifier.Reloading();
        try
        {
            var (settings, auth) = await _pool.Submit(_ =>
            {
                var checkedSettings = SettingsLoader.Load(EdgeConfiguration.Build(new ConfigurationManager(), _commandLine));
                return (checkedSettings, _effectiveAuth(checkedSettings));
            }, PoolFullMode.Wait);
            ((IConfigurationRoot)_app.Configuration).Reload();
            _auth.Apply(auth);
            _hub.Apply(settings.WebSocket);
            Reloaded?.Invoke(settings);
            Log.Reloaded(_logger);
        }
        catch (ConfigException e)
        {
            Log.ReloadRefused(_logger, e.Message);
        }
        catch (Exception e)
        {
            // Nobody awaits a reload (a signal starts it): log rather than lose the failure.
            Log.ReloadFailed(_logger, e, e.Message);
        }
        finally
        {
            _notifier.Ready(ServingStatus, _loop);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _sighup.Dispose();
        _notifier.Dispose();
        await _app.DisposeAsync();
        _stopping.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning,
            Message = "SIGHUP is ignored by this process (started under nohup?): reload with PUT /config or a restart")]
        public static partial void HangupIgnored(ILogger logger);

        [LoggerMessage(Level = LogLevel.Information, Message = "Edge {Version} listening on {Urls}")]
        public static partial void Listening(ILogger logger, string version, string urls);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Services did not stop within {Timeout}")]
        public static partial void ServicesDidNotStop(ILogger logger, TimeSpan timeout);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Journals were not flushed within {Timeout}")]
        public static partial void JournalsNotFlushed(ILogger logger, TimeSpan timeout);

        [LoggerMessage(Level = LogLevel.Warning, Message = "The event loop did not drain within {Timeout}")]
        public static partial void LoopDidNotDrain(ILogger logger, TimeSpan timeout);

        [LoggerMessage(Level = LogLevel.Information, Message = "Edge stopped")]
        public static partial void Stopped(ILogger logger);

        [LoggerMessage(Level = LogLevel.Information, Message = "Configuration reloaded")]
        public static partial void Reloaded(ILogger logger);

        [LoggerMessage(Level = LogLevel.Error, Message = "Configuration not reloaded, keeping the running one: {Message}")]
        public static partial void ReloadRefused(ILogger logger, string message);

        [LoggerMessage(Level = LogLevel.Error, Message = "Configuration reload failed: {Message}")]
        public static partial void ReloadFailed(ILogger logger, Exception exception, string message);
    }
}
