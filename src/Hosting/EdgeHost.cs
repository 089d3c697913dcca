using System.Runtime.InteropServices;
using Edge.Runtime;
using Edge.Api;
using Edge.Web;
using Edge.Web.Auth;
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
public sealed class EdgeHost : IAsyncDisposable
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
    private readonly CancellationTokenSource _stopping = new();
    private PosixSignalRegistration? _sighup;
    private Task? _services;
    private bool _stopped;

    public EdgeHost(WebApplication app, EventLoop loop, WorkerPool pool, Supervisor supervisor, SessionHub hub, ApiDispatcher dispatcher,
        Authenticator auth, Func<EdgeSettings, AuthSettings> effectiveAuth, ILogger logger)
    {
        _app = app;
        _loop = loop;
        _pool = pool;
        _supervisor = supervisor;
        _hub = hub;
        _dispatcher = dispatcher;
        _auth = auth;
        _effectiveAuth = effectiveAuth;
        _logger = logger;
        app.Lifetime.ApplicationStopping.Register(() => _loop.Post(() => _hub.CloseAll(WebSocketFrames.GoingAway, "Server shutting down")));
    }

    /// <summary>The loop everything runs on (tests check thread affinity against it).</summary>
    internal EventLoop Loop => _loop;

    /// <summary>Lets tests add services whose status shows in /readyz.</summary>
    internal Supervisor Supervisor => _supervisor;

    /// <summary>Lets tests add probe methods.</summary>
    internal ApiDispatcher Dispatcher => _dispatcher;

    /// <summary>The addresses Kestrel listens on (with real ports when 0 was asked for).</summary>
    public IReadOnlyList<Uri> Urls => [.. _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Select(a => new Uri(a.Replace("[::]", "localhost").Replace("0.0.0.0", "localhost")))];

    public async Task StartAsync()
    {
        await _app.StartAsync();
        await _loop.InvokeAsync(() =>
        {
            _hub.Start();
            _services = _supervisor.Run(_stopping.Token);
            return Task.CompletedTask;
        });
        _sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
        {
            context.Cancel = true;
            _loop.Post(Reload);
        });
        _logger.LogInformation("Edge {Version} listening on {Urls}", Program.Version, string.Join(", ", Urls));
    }

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

    public async Task StopAsync()
    {
        if (_stopped) return;
        _stopped = true;
        _sighup?.Dispose();
        await _app.StopAsync();
        _stopping.Cancel();
        if (_services != null)
        {
            try { await _services.WaitAsync(TimeSpan.FromSeconds(1)); }
            catch (TimeoutException) { _logger.LogWarning("Services did not stop within 1 s"); }
        }
        _hub.Dispose();
        _pool.Dispose();
        _loop.Dispose();
        await _loop.Completion.WaitAsync(TimeSpan.FromSeconds(1));
        _logger.LogInformation("Edge stopped");
    }

    /// <summary>SIGHUP: re-reads the configuration and applies what can change while running.</summary>
    public void Reload()
    {
        _loop.VerifyAccess();
        try
        {
            ((IConfigurationRoot)_app.Configuration).Reload();
            var settings = SettingsLoader.Load(_app.Configuration);
            _auth.Apply(_effectiveAuth(settings));
            _hub.Apply(settings.WebSocket);
            _logger.LogInformation("Configuration reloaded");
        }
        catch (Exception e) when (e is ConfigException or InvalidDataException or IOException)
        {
            _logger.LogError("Configuration not reloaded, keeping the running one: {Message}", e.Message);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await _app.DisposeAsync();
        _stopping.Dispose();
    }
}
