using Microsoft.Extensions.Logging;

namespace Edge.Runtime;

/// <summary>
/// Keeps a chatty source (a failing camera, a process writing to stderr in a loop, scanners) from
/// flooding the log: <see cref="Admit"/> says yes <c>perMinute</c> times a minute, and when a new
/// minute starts after some were left out, logs how many. Thread-safe.
/// </summary>
public sealed partial class RateLimitedLog(ILogger logger, TimeProvider time, int perMinute)
{
    private readonly Lock _lock = new();
    private long _windowStart = long.MinValue;
    private int _written, _suppressed;

    /// <summary>True when the caller may write its line now.</summary>
    public bool Admit()
    {
        int suppressed;
        lock (_lock)
        {
            long now = time.GetTimestamp();
            suppressed = 0;
            if (_windowStart == long.MinValue || time.GetElapsedTime(_windowStart, now) >= TimeSpan.FromMinutes(1))
            {
                suppressed = _suppressed;
                _windowStart = now;
                _written = _suppressed = 0;
            }
            if (_written >= perMinute)
            {
                _suppressed++;
                return false;
            }
            _written++;
        }
        if (suppressed > 0) LeftOut(logger, suppressed);
        return true;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} similar messages were left out in the last minute")]
    private static partial void LeftOut(ILogger logger, int count);
}
