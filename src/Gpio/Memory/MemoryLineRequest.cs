using Edge.Native;

namespace Edge.Gpio.Memory;

/// <summary>A simulated line request: the line's value after active-low and its buffered edges.</summary>
internal sealed class MemoryLineRequest(Lock driverLock, MemoryLine line, GpioLineConfig config) : IGpioLine
{
    private readonly Queue<MemoryEdge> _edges = new();
    private uint _lineSeqno;
    private bool _released;

    public GpioLineConfig Config { get; } = config;

    private int Inversion => Config.ActiveLow ? 1 : 0;

    /// <summary>
    /// The line changed to <paramref name="level"/>. A full buffer drops its oldest edge, as the kernel's
    /// does, so the newest always arrives; the numbering shows the gap. Under the driver's lock.
    /// </summary>
    public void AddEdge(int level)
    {
        _lineSeqno++;
        if (_edges.Count == MemoryGpioDriver.EventBufferSize) _edges.Dequeue();
        _edges.Enqueue(new MemoryEdge((level ^ Inversion) == 1, _lineSeqno));
    }

    /// <summary>Moves the buffered edges to <paramref name="into"/>. Under the driver's lock.</summary>
    public void TakeEdges(List<MemoryEdge> into)
    {
        while (_edges.TryDequeue(out var edge)) into.Add(edge);
    }

    public int Read()
    {
        lock (driverLock)
        {
            ThrowIfReleased("reading the value");
            return line.Level ^ Inversion;
        }
    }

    public void Write(int value)
    {
        lock (driverLock)
        {
            ThrowIfReleased("writing the value");
            if (!Config.Output) throw new GpioException($"{Config.Describe()}: writing the value failed: the line is an input");
            line.Level = (value & 1) ^ Inversion;
        }
    }

    public void Dispose()
    {
        lock (driverLock)
        {
            _released = true;
            if (line.Request == this) line.Request = null;
        }
    }

    private void ThrowIfReleased(string operation)
    {
        if (_released) throw GpioException.FromErrno(Config.Describe(), operation, Libc.EBADF);
    }
}
