using Edge.Runtime;

namespace Edge.Api;

/// <summary>A registered API method: its handler and how long its calls took.</summary>
public sealed class ApiMethod(string name, ApiHandler handler)
{
    public string Name { get; } = name;

    internal ApiHandler Handler { get; } = handler;

    /// <summary>Every call since start, errors included: from dispatch until the reply envelope is built.</summary>
    public LatencyHistogram Latency { get; } = new();
}
