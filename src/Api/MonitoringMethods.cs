using Edge.Auth;
using Edge.Monitoring;

namespace Edge.Api;

/// <summary>
/// <c>system.history</c>: the last 15 minutes of system samples, for graphs; <c>runtime.inspect</c>:
/// the runtime inspector's report.
/// </summary>
public sealed class MonitoringMethods(SystemMonitor monitor, RuntimeInspector inspector)
{
    public void Register(ApiDispatcher dispatcher)
    {
        dispatcher.Register("system.history", UserRole.Viewer, History);
        dispatcher.Register("runtime.inspect", UserRole.Admin, Inspect);
    }

    private ValueTask<ApiResult> History(ApiCall call) => ApiResult.Write(monitor.History.WriteTo);

    private ValueTask<ApiResult> Inspect(ApiCall call) => ApiResult.Write(inspector.WriteTo);
}
