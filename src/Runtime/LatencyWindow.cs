namespace Edge.Runtime;

/// <summary>
/// Durations in windows, for a report once a second: <see cref="Take"/> returns what was recorded since
/// the last call and starts an empty window. Two histograms take turns, so a report allocates nothing
/// (a new one each second was most of what an idle Edge allocated). One thread only (the loop).
/// </summary>
public sealed class LatencyWindow
{
    private LatencyHistogram _current = new();
    private LatencyHistogram _taken = new();

    public void RecordTicks(long ticks) => _current.RecordTicks(ticks);

    public void RecordNanos(long nanos) => _current.RecordNanos(nanos);

    /// <summary>The window that just ended; valid until the next call.</summary>
    public LatencyHistogram Take()
    {
        (_current, _taken) = (_taken, _current);
        _current.Clear();
        return _taken;
    }
}
