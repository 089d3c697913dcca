using System.Device.Gpio;
using Edge.Native;

namespace Edge.Gpio.Memory;

/// <summary>
/// A simulated line request: the line's mode, value after active-low and the edges it detects, buffered
/// until read. Every member is used under the chips' lock.
/// </summary>
internal sealed class MemoryLineRequest(MemoryGpioDriver driver, int offset, MemoryLine line, GpioLineOptions options)
{
    private readonly Queue<MemoryEdge> _edges = new();
    private uint _lineSeqno;

    public MemoryGpioDriver Driver { get; } = driver;

    public int Offset { get; } = offset;

    public GpioLineOptions Options { get; } = options;

    public PinMode Mode { get; set; }

    public PinEventTypes Edges { get; set; }

    public bool Released { get; private set; }

    /// <summary>The uAPI flags the kernel would list for this request.</summary>
    public ulong Flags => GpioLineFlags.For(Mode, Options, Edges);

    private int Inversion => Options.ActiveLow ? 1 : 0;

    private string Description => Driver.Describe(Offset);

    /// <summary>
    /// The line changed to <paramref name="level"/>; true when that is an edge the request detects. A full
    /// buffer drops its oldest edge, as the kernel's does, so the newest always arrives; the numbering shows the gap.
    /// </summary>
    public bool AddEdge(int level)
    {
        bool rising = (level ^ Inversion) == 1;
        if ((Edges & (rising ? PinEventTypes.Rising : PinEventTypes.Falling)) == 0) return false;
        _lineSeqno++;
        if (_edges.Count == MemoryGpioChips.EventBufferSize) _edges.Dequeue();
        _edges.Enqueue(new MemoryEdge(rising, _lineSeqno));
        return true;
    }

    /// <summary>Moves the buffered edges to <paramref name="into"/>.</summary>
    public void TakeEdges(List<(int Offset, MemoryEdge Edge)> into)
    {
        while (_edges.TryDequeue(out var edge)) into.Add((Offset, edge));
    }

    /// <summary>Sets the mode; an output drives <paramref name="initial"/>, an input undriven from outside follows its pull.</summary>
    public void Configure(PinMode mode, int initial, PinEventTypes edges)
    {
        ThrowIfReleased("configuring the line");
        Mode = mode;
        Edges = edges;
        if (mode == PinMode.Output) line.Level = initial ^ Inversion;
        else if (!line.Driven && (Flags & GpioLineFlags.GPIO_V2_LINE_FLAG_BIAS_PULL_UP) != 0) line.Level = 1;
        else if (!line.Driven && (Flags & GpioLineFlags.GPIO_V2_LINE_FLAG_BIAS_PULL_DOWN) != 0) line.Level = 0;
    }

    public int Read()
    {
        ThrowIfReleased("reading the value");
        return line.Level ^ Inversion;
    }

    public void Write(int value)
    {
        ThrowIfReleased("writing the value");
        if (Mode != PinMode.Output) throw new GpioException($"{Description}: writing the value failed: the line is an input");
        line.Level = (value & 1) ^ Inversion;
    }

    public void Release()
    {
        Released = true;
        if (line.Request == this) line.Request = null;
    }

    private void ThrowIfReleased(string operation)
    {
        if (Released) throw GpioException.FromErrno(Description, operation, Libc.EBADF);
    }
}
