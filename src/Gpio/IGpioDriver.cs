namespace Edge.Gpio;

/// <summary>
/// Called on the edge reader's thread for each edge of <c>lines[index]</c>: rising or falling (after
/// active-low), and the kernel's count of that line's edges so far (a gap means edges were lost).
/// </summary>
public delegate void GpioEdgeCallback(int index, bool rising, uint lineSeqno);

/// <summary>
/// A GPIO backend: the kernel's character devices or memory. Its calls may block (a chip behind I2C
/// sleeps), so <see cref="ListChips"/>, <see cref="Open"/> and the lines' calls run on the worker
/// pool and <see cref="WatchEdges"/> on a thread of its own, never on the event loop.
/// </summary>
public interface IGpioDriver
{
    /// <summary><c>chardev</c> or <c>memory</c>.</summary>
    string Name { get; }

    /// <summary>Every chip with its lines; a chip that cannot be read is listed with its error.</summary>
    IReadOnlyList<GpioChipInfo> ListChips();

    /// <summary>Requests one line as configured. Throws <see cref="GpioException"/> naming the chip and line.</summary>
    IGpioLine Open(GpioLineConfig config);

    /// <summary>
    /// Hands every edge of <paramref name="lines"/> (inputs this driver opened) to <paramref name="onEdge"/>
    /// until <paramref name="cancellationToken"/> fires, then returns; throws <see cref="GpioException"/>
    /// when a line fails.
    /// </summary>
    void WatchEdges(IReadOnlyList<IGpioLine> lines, GpioEdgeCallback onEdge, CancellationToken cancellationToken);
}

/// <summary>One requested line, released by <see cref="IDisposable.Dispose"/>. Its calls may block.</summary>
public interface IGpioLine : IDisposable
{
    /// <summary>The value after active-low: 0 or 1. Throws <see cref="GpioException"/>.</summary>
    int Read();

    /// <summary>Drives an output to <paramref name="value"/> (0 or 1, before active-low). Throws <see cref="GpioException"/>.</summary>
    void Write(int value);
}
