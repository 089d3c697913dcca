namespace Edge.Gpio;

/// <summary>
/// The edges of one input on their way from the edge reader's thread to the loop. At most
/// <see cref="Capacity"/> wait; a newer edge pushes the oldest out, as the kernel's own buffer does, so
/// the newest always arrives and the pin's state ends on the line's real value. What is lost here or
/// in the kernel (a gap in its numbering) is counted. Thread-safe.
/// </summary>
internal sealed class GpioEdgeBuffer(string pin, TimeProvider time)
{
    public const int Capacity = 16;

    private readonly Lock _lock = new();
    private readonly Queue<GpioEdgeEvent> _edges = new();
    private uint _lineSeqno;
    private long _dropped;

    /// <summary>Reader thread: one edge as the driver read it.</summary>
    public void Add(bool rising, uint lineSeqno)
    {
        var edge = new GpioEdgeEvent(pin, rising ? "rising" : "falling", rising ? 1 : 0, time.GetUtcNow());
        lock (_lock)
        {
            // The kernel numbers each request's edges from 1; a jump means its buffer overflowed.
            if (lineSeqno > _lineSeqno + 1) _dropped += lineSeqno - _lineSeqno - 1;
            _lineSeqno = lineSeqno;
            if (_edges.Count == Capacity)
            {
                _edges.Dequeue();
                _dropped++;
            }
            _edges.Enqueue(edge);
        }
    }

    /// <summary>
    /// Loop: moves the waiting edges, oldest first, to <paramref name="into"/>; returns the edges lost
    /// since the last call.
    /// </summary>
    public long Take(List<GpioEdgeEvent> into)
    {
        lock (_lock)
        {
            while (_edges.TryDequeue(out var edge)) into.Add(edge);
            long dropped = _dropped;
            _dropped = 0;
            return dropped;
        }
    }
}
