using Microsoft.Extensions.Logging;

namespace Edge.Runtime;

/// <summary>
/// A warning log that a chatty source (a failing camera, a process writing to stderr in a loop)
/// cannot flood: at most <c>perMinute</c> lines a minute, then one line saying how many were left out.
/// Thread-safe.
/// </summary>
public sealed class RateLimitedLog(ILogger logger, TimeProvider time, int perMinute)
{
    private readonly Lock _lock = new();
    private long _windowStart = long.MinValue;
    private int _written, _suppressed;

#pragma warning disable CA2254 // the format is one of the callers' constants
    public void Warn(string format, string argument)
    {
        if (Admit()) logger.LogWarning(format, argument);
    }

    public void Warn(string format, string first, string second)
    {
        if (Admit()) logger.LogWarning(format, first, second);
    }

    public void Error(Exception exception, string format, string argument)
    {
        if (Admit()) logger.LogError(exception, format, argument);
    }
#pragma warning restore CA2254

    private bool Admit()
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
        if (suppressed > 0) logger.LogWarning("{Count} similar messages were left out in the last minute", suppressed);
        return true;
    }
}
