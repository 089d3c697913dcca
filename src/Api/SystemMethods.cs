using Edge.Auth;
using Edge.Runtime;

namespace Edge.Api;

/// <summary><c>ping</c> and <c>system.info</c>.</summary>
public sealed class SystemMethods(EventLoop loop, WorkerPool pool, Supervisor supervisor, string version, DateTimeOffset startedAt)
{
    public void Register(ApiDispatcher dispatcher)
    {
        dispatcher.Register("ping", UserRole.Viewer, Ping);
        dispatcher.Register("system.info", UserRole.Viewer, Info);
    }

    private ValueTask<ApiResult> Ping(ApiCall call) => ApiResult.Of("pong", ApiJsonContext.Default.String);

    private ValueTask<ApiResult> Info(ApiCall call) => ApiResult.Of(GetInfo(), ApiJsonContext.Default.SystemInfo);

    /// <summary>Version, uptime and runtime metrics; also what <c>/metrics</c>-style readers need.</summary>
    public SystemInfo GetInfo()
    {
        var now = loop.Time.GetUtcNow();
        var gc = GC.GetGCMemoryInfo();
        return new SystemInfo(
            Version: version,
            StartedAt: startedAt,
            UptimeSeconds: Math.Round((now - startedAt).TotalSeconds, 3),
            Loop: loop.GetMetrics(),
            Pool: pool.GetMetrics(),
            Memory: new MemoryInfo(Environment.WorkingSet, GC.GetTotalMemory(false), gc.HeapSizeBytes, GC.CollectionCount(0),
                GC.CollectionCount(1), GC.CollectionCount(2)),
            Services: supervisor.GetStatus());
    }
}

public sealed record SystemInfo(string Version, DateTimeOffset StartedAt, double UptimeSeconds, EventLoopMetrics Loop,
    WorkerPoolMetrics Pool, MemoryInfo Memory, IReadOnlyList<ServiceInfo> Services);

public sealed record MemoryInfo(long WorkingSetBytes, long GcAllocatedBytes, long GcHeapBytes, int Gen0Collections, int Gen1Collections,
    int Gen2Collections);
