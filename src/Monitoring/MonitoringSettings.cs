namespace Edge.Monitoring;

/// <summary>The <c>Monitoring</c> section.</summary>
public sealed class MonitoringSettings
{
    /// <summary>Seconds between two samples of the system (<c>system.*</c> state, history points).</summary>
    public int IntervalSeconds { get; set; } = 1;

    /// <summary>Whether <c>GET /metrics</c> asks for the API's credentials (false lets anyone who reaches the port scrape).</summary>
    public bool MetricsRequireAuth { get; set; } = true;

    public string? Validate()
        => IntervalSeconds is < 1 or > 60 ? $"IntervalSeconds must be between 1 and 60 (got {IntervalSeconds})" : null;
}
