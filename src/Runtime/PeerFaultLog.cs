using System.Net;
using Microsoft.Extensions.Logging;

namespace Edge.Runtime;

/// <summary>
/// Warnings about what peers send wrong (malformed requests, bad framing): one line per address and
/// cause an hour, so a client that repeats a broken request cannot fill the log. The table is bounded;
/// when many addresses misbehave at once, the ones it has no room for share one line a minute.
/// Thread-safe.
/// </summary>
public sealed partial class PeerFaultLog(ILogger logger, TimeProvider time, int maxEntries = 1024)
{
    private static readonly TimeSpan Quiet = TimeSpan.FromHours(1);

    private readonly Lock _lock = new();
    private readonly Dictionary<(IPAddress?, string), long> _logged = [];
    private readonly RateLimitedLog _crowd = new(logger, time, perMinute: 1);

    /// <param name="cause">A fixed phrase (the key); <paramref name="detail"/> is what this instance said.</param>
    public void Warn(IPAddress? address, string cause, string detail)
    {
        address = address is null ? null : PeerAddress.Normalize(address);
        switch (Admit(address, cause))
        {
            case true: LogFault(logger, address?.ToString() ?? "(unknown)", cause, detail); break;
            case null:
                if (_crowd.Admit()) LogCrowd(logger, cause);
                break;
        }
    }

    // True: log it; false: logged within the hour; null: no room to remember it.
    private bool? Admit(IPAddress? address, string cause)
    {
        long now = time.GetTimestamp();
        lock (_lock)
        {
            if (_logged.TryGetValue((address, cause), out long last) && time.GetElapsedTime(last, now) < Quiet) return false;
            if (_logged.Count >= maxEntries && !_logged.ContainsKey((address, cause)))
            {
                foreach (var (key, at) in _logged)
                    if (time.GetElapsedTime(at, now) >= Quiet) _logged.Remove(key);
                if (_logged.Count >= maxEntries) return null;
            }
            _logged[(address, cause)] = now;
            return true;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Many clients: {Cause} (this line is rate-limited)")]
    private static partial void LogCrowd(ILogger logger, string cause);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "{Address}: {Cause}: {Detail} (more of these from this address are not logged for an hour)")]
    private static partial void LogFault(ILogger logger, string address, string cause, string detail);
}
