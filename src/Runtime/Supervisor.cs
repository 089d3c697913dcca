using Microsoft.Extensions.Logging;

namespace Edge.Runtime;

/// <summary>Lifecycle of a supervised service.</summary>
public enum ServiceStatus { Starting, Running, Restarting, Failed, Stopped }

/// <summary>When and how often a failed service is started again.</summary>
/// <param name="MaxRestarts">Restarts allowed within <paramref name="Window"/> before the service is marked failed.</param>
/// <param name="StableAfter">A run at least this long counts as healthy: its failure restarts after
/// <paramref name="InitialBackoff"/> again (default 10 s). Without it a camera whose process is killed every
/// 20 s would wait 30 s per restart after a few rounds, down more than up.</param>
public sealed record RestartPolicy(int MaxRestarts, TimeSpan Window, TimeSpan InitialBackoff, TimeSpan MaxBackoff,
    TimeSpan? StableAfter = null)
{
    public static RestartPolicy Default { get; } = new(5, TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));
}

/// <summary>What the supervisor knows about one service.</summary>
public sealed record ServiceInfo(string Name, ServiceStatus Status, int Restarts, string? LastError, DateTimeOffset Since)
{
    /// <summary>As a JSON object {name, status, restarts, lastError, since}, for the answers written by hand.</summary>
    public void WriteTo(System.Text.Json.Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteString("name", Name);
        w.WriteString("status", Status.ToString());
        w.WriteNumber("restarts", Restarts);
        w.WriteString("lastError", LastError);
        w.WriteString("since", Since);
        w.WriteEndObject();
    }
}

/// <summary>
/// Runs named long-lived services on the event loop with one-for-one restarts: a service that throws
/// is started again after an exponential back-off, unless it already failed
/// <see cref="RestartPolicy.MaxRestarts"/> times within the window, in which case it is left failed.
/// A service that returns has finished and is marked stopped. The back-off starts over after a run that
/// lasted <see cref="RestartPolicy.StableAfter"/>, and after a window without restarts.
/// </summary>
public sealed partial class Supervisor
{
    private readonly EventLoop _loop;
    private readonly ILogger _logger;
    private readonly List<Service> _services = [];
    private TaskGroup? _group;

    public Supervisor(EventLoop loop, ILogger logger)
    {
        _loop = loop;
        _logger = logger;
    }

    /// <summary>Raised on the loop whenever a service changes status.</summary>
    public event Action<ServiceInfo>? StatusChanged;

    /// <summary>Registers a service; it starts with <see cref="Run"/>, or at once if that already ran.</summary>
    public void Add(string name, Func<CancellationToken, Task> run, RestartPolicy? policy = null)
    {
        _loop.VerifyAccess();
        if (_services.Exists(s => s.Name == name)) throw new ArgumentException($"A service named '{name}' already exists.", nameof(name));
        var service = new Service(name, run, policy ?? RestartPolicy.Default, _loop.Time.GetUtcNow());
        _services.Add(service);
        _group?.Spawn(ct => Supervise(service, ct), name);
    }

    /// <summary>Runs every service until <paramref name="cancellationToken"/> fires, then waits for them to stop.</summary>
    public Task Run(CancellationToken cancellationToken)
    {
        _loop.VerifyAccess();
        if (_group != null) throw new InvalidOperationException("The supervisor is already running.");
        _group = new TaskGroup(TaskGroupPolicy.IgnoreErrors, _logger, cancellationToken, "supervisor", _loop.TaskGroups);
        foreach (var service in _services) _group.Spawn(ct => Supervise(service, ct), service.Name);
        return WaitThenSeal(_group, cancellationToken);
    }

    private static async Task WaitThenSeal(TaskGroup group, CancellationToken cancellationToken)
    {
        // The group stays open for late Add calls until shutdown.
        try { await Task.Delay(Timeout.Infinite, cancellationToken); }
        catch (OperationCanceledException) { }
        await group.WhenAll();
    }

    /// <summary>Status of every service, in registration order. Loop only.</summary>
    public IReadOnlyList<ServiceInfo> GetStatus()
    {
        _loop.VerifyAccess();
        return _services.ConvertAll(s => s.Info);
    }

    private async Task Supervise(Service service, CancellationToken cancellationToken)
    {
        var policy = service.Policy;
        var restartTimes = new Queue<DateTimeOffset>();
        var backoff = policy.InitialBackoff;
        var stableAfter = policy.StableAfter ?? TimeSpan.FromSeconds(10);
        while (!cancellationToken.IsCancellationRequested)
        {
            SetStatus(service, ServiceStatus.Starting, null);
            long started = _loop.Time.GetTimestamp();
            try
            {
                var run = service.Run(cancellationToken);
                SetStatus(service, ServiceStatus.Running, null);
                await run;
                SetStatus(service, ServiceStatus.Stopped, null);
                return;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                Log.ServiceFailed(_logger, e, service.Name, e.Message);
                service.LastError = ErrorText.WithoutPaths(e); // shown on the public /readyz
            }

            var now = _loop.Time.GetUtcNow();
            while (restartTimes.Count > 0 && now - restartTimes.Peek() > policy.Window) restartTimes.Dequeue();
            if (restartTimes.Count == 0 || _loop.Time.GetElapsedTime(started) >= stableAfter) backoff = policy.InitialBackoff;
            if (restartTimes.Count >= policy.MaxRestarts)
            {
                Log.ServiceGaveUp(_logger, service.Name, restartTimes.Count, policy.Window);
                SetStatus(service, ServiceStatus.Failed, service.LastError);
                return;
            }
            restartTimes.Enqueue(now);
            service.Restarts++;
            SetStatus(service, ServiceStatus.Restarting, service.LastError);
            Log.ServiceRestarts(_logger, service.Name, backoff, service.Restarts);
            try { await _loop.Delay(backoff, cancellationToken); }
            catch (OperationCanceledException) { break; }
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, policy.MaxBackoff.Ticks));
        }
        SetStatus(service, ServiceStatus.Stopped, service.LastError);
    }

    private void SetStatus(Service service, ServiceStatus status, string? error)
    {
        if (service.Status == status && service.Info.LastError == error) return;
        service.Status = status;
        service.Info = new ServiceInfo(service.Name, status, service.Restarts, error, _loop.Time.GetUtcNow());
        StatusChanged?.Invoke(service.Info);
    }

    private sealed class Service(string name, Func<CancellationToken, Task> run, RestartPolicy policy, DateTimeOffset now)
    {
        public string Name { get; } = name;
        public Func<CancellationToken, Task> Run { get; } = run;
        public RestartPolicy Policy { get; } = policy;
        public ServiceStatus Status { get; set; } = ServiceStatus.Starting;
        public int Restarts { get; set; }
        public string? LastError { get; set; }
        public ServiceInfo Info { get; set; } = new(name, ServiceStatus.Starting, 0, null, now);
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Error, Message = "Service {Service} failed: {Message}")]
        public static partial void ServiceFailed(ILogger logger, Exception exception, string service, string message);

        [LoggerMessage(Level = LogLevel.Critical, Message = "Service {Service} gave up after {Restarts} restarts within {Window}")]
        public static partial void ServiceGaveUp(ILogger logger, string service, int restarts, TimeSpan window);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Service {Service} restarts in {Backoff} (restart {Count})")]
        public static partial void ServiceRestarts(ILogger logger, string service, TimeSpan backoff, int count);
    }
}
