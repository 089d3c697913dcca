using Edge.Monitoring;

namespace Edge.Api;

/// <summary><c>system.history</c>: the last 15 minutes of system samples, for graphs.</summary>
public sealed class MonitoringMethods(SystemMonitor monitor)
{
    public void Register(ApiDispatcher dispatcher) => dispatcher.Register("system.history", History);

    private ValueTask<ApiResult> History(ApiCall call) => ApiResult.Write(monitor.History.WriteTo);
}
