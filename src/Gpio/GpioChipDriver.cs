using System.Device.Gpio;

namespace Edge.Gpio;

/// <summary>
/// A <see cref="GpioDriver"/> for one chip, as Edge's <see cref="GpioController"/>s use it: pin numbers
/// are the chip's line offsets. Beyond the controller's API it takes each line's
/// <see cref="GpioLineOptions"/> (active-low, bias, debounce, consumer) before the pin opens, and it
/// delivers edges to the registered callbacks on the thread that calls <see cref="DispatchEdges"/>
/// (Edge's "edge-gpio" thread), so a failing line ends that call instead of dying in a thread of the
/// driver's own. Line calls may block (a chip behind I2C sleeps): Edge makes them on the worker pool.
/// Thread-safe.
/// </summary>
public abstract class GpioChipDriver(string chip) : GpioDriver
{
    private readonly Dictionary<int, GpioLineOptions> _options = [];
    private readonly Dictionary<int, Callback[]> _callbacks = [];

    /// <summary>The chip's name, <c>gpiochipN</c>.</summary>
    public string Chip { get; } = chip;

    /// <summary>Guards the line tables of this class and its subclasses.</summary>
    protected Lock Sync { get; } = new();

    /// <summary>What <paramref name="line"/> is requested with when it opens (defaults: <see cref="GpioLineOptions.Default"/>).</summary>
    public void SetLineOptions(int line, GpioLineOptions options)
    {
        lock (Sync) _options[line] = options;
    }

    /// <summary>
    /// Calls the callbacks of this chip's lines for each of their edges, on the calling thread, until
    /// <paramref name="cancellationToken"/> fires; then returns. Lines whose callbacks are added later
    /// are watched by the next call. Throws <see cref="GpioException"/> when a line fails.
    /// </summary>
    public abstract void DispatchEdges(CancellationToken cancellationToken);

    /// <summary>"gpiochip0 line 17", for messages.</summary>
    public string Describe(int line) => $"{Chip} line {line}";

    protected GpioLineOptions LineOptions(int line)
    {
        lock (Sync) return _options.GetValueOrDefault(line, GpioLineOptions.Default);
    }

    /// <summary>The union of the edges the line's callbacks asked for.</summary>
    protected PinEventTypes WatchedEdges(int line)
    {
        lock (Sync) return Union(_callbacks.GetValueOrDefault(line, []));
    }

    /// <summary>Dispatch thread: one edge of <paramref name="line"/>, to each callback that asked for its kind.</summary>
    protected void Raise(int line, bool rising, uint lineSeqno)
    {
        Callback[] callbacks;
        lock (Sync) callbacks = _callbacks.GetValueOrDefault(line, []);
        var type = rising ? PinEventTypes.Rising : PinEventTypes.Falling;
        GpioEdgeArgs? args = null;
        foreach (var callback in callbacks)
            if ((callback.Types & type) != 0) callback.Handler(this, args ??= new GpioEdgeArgs(type, line, lineSeqno));
    }

    /// <summary>Detects <paramref name="edges"/> on an open line (None: stops detecting).</summary>
    protected abstract void SetEdges(int line, PinEventTypes edges);

    /// <summary>Releases an open line.</summary>
    protected abstract void CloseLine(int line);

    protected sealed override void ClosePin(int pinNumber)
    {
        lock (Sync)
        {
            _callbacks.Remove(pinNumber);
            _options.Remove(pinNumber);
        }
        CloseLine(pinNumber);
    }

    protected sealed override void AddCallbackForPinValueChangedEvent(int pinNumber, PinEventTypes eventTypes,
        PinChangeEventHandler callback)
    {
        PinEventTypes before, after;
        lock (Sync)
        {
            var callbacks = _callbacks.GetValueOrDefault(pinNumber, []);
            before = Union(callbacks);
            _callbacks[pinNumber] = [.. callbacks, new Callback(eventTypes, callback)];
            after = before | eventTypes;
        }
        if (after == before) return;
        try
        {
            SetEdges(pinNumber, after);
        }
        catch
        {
            Remove(pinNumber, callback);
            throw;
        }
    }

    protected sealed override void RemoveCallbackForPinValueChangedEvent(int pinNumber, PinChangeEventHandler callback)
    {
        var (before, after) = Remove(pinNumber, callback);
        if (after != before) SetEdges(pinNumber, after);
    }

    // Edge delivers edges only through callbacks and DispatchEdges: a second reader of the same line
    // would take edges from the first.
    protected sealed override WaitForEventResult WaitForEvent(int pinNumber, PinEventTypes eventTypes, CancellationToken cancellationToken)
        => throw new NotSupportedException("Edge's GPIO drivers deliver edges to callbacks, from DispatchEdges");

    private (PinEventTypes Before, PinEventTypes After) Remove(int line, PinChangeEventHandler handler)
    {
        lock (Sync)
        {
            var callbacks = _callbacks.GetValueOrDefault(line, []);
            var kept = Array.FindAll(callbacks, c => c.Handler != handler);
            if (kept.Length == 0) _callbacks.Remove(line);
            else _callbacks[line] = kept;
            return (Union(callbacks), Union(kept));
        }
    }

    private static PinEventTypes Union(Callback[] callbacks)
    {
        var edges = PinEventTypes.None;
        foreach (var callback in callbacks) edges |= callback.Types;
        return edges;
    }

    private sealed record Callback(PinEventTypes Types, PinChangeEventHandler Handler);
}
