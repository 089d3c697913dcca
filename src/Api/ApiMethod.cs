using Edge.Auth;
using Edge.Runtime;

namespace Edge.Api;

/// <summary>A registered API method: its handler and how long its calls took.</summary>
public sealed class ApiMethod(string name, UserRole role, ApiHandler handler)
{
    public string Name { get; } = name;

    /// <summary>The least role that may call it.</summary>
    public UserRole Role { get; } = role;

    internal ApiHandler Handler { get; } = handler;

    /// <summary>
    /// Every call since start, errors included: from dispatch until the reply envelope is built. Null
    /// until the first call: a histogram is 5 KB, and most methods are never called on a given board.
    /// </summary>
    public LatencyHistogram? Latency { get; private set; }

    /// <summary>Calls whose handler threw something unexpected (answered "Internal error") since start.</summary>
    public long Failures { get; internal set; }

    /// <summary>Records one call. Loop only (the dispatcher's).</summary>
    internal void Record(long ticks) => (Latency ??= new LatencyHistogram()).RecordTicks(ticks);
}
