using Edge.Runtime;
namespace Edge.Gpio;

/// <summary>One configured pin while Edge runs: its settings, and its line, value and edges while open. Loop only.</summary>
internal sealed class GpioPin(GpioPinSettings settings, GpioActionHandler? action)
{
    private long _windowStart;
    private int _eventsInWindow;

    public GpioPinSettings Settings { get; } = settings;

    public string Name => Settings.Name;

    /// <summary>The state key of its value: <c>gpio.</c> and the name.</summary>
    public string Key { get; } = GpioService.StatePrefix + settings.Name;

    public bool IsOutput => Settings.IsOutput;

    public GpioActionHandler? Action { get; } = action;

    /// <summary>The chip the pin is open on; null while the pin is absent.</summary>
    public GpioChip? Chip { get; private set; }

    /// <summary>An open input's edges from the reader thread.</summary>
    public GpioEdgeBuffer? Edges { get; private set; }

    /// <summary>Why the pin is absent (null while open or before the first try).</summary>
    public string? Error { get; set; }

    /// <summary>The last value read or written; an output reopened after a failure starts from it.</summary>
    public int Value { get; set; } = settings.Initial ?? 0;

    /// <summary>Writes run one after another, so the line ends on the last one asked for.</summary>
    public SerialChain Writes { get; } = new();

    /// <summary>Its action is still running; an event meanwhile does not start another.</summary>
    public bool ActionRunning { get; set; }

    /// <summary>Counts an event against <paramref name="perSecond"/>; false when the pin had that many this second.</summary>
    public bool TakeEventSlot(TimeProvider time, int perSecond)
    {
        long now = time.GetTimestamp();
        if (_eventsInWindow == 0 || time.GetElapsedTime(_windowStart, now) >= TimeSpan.FromSeconds(1))
        {
            _windowStart = now;
            _eventsInWindow = 0;
        }
        if (_eventsInWindow == perSecond) return false;
        _eventsInWindow++;
        return true;
    }

    /// <summary>The line's offset on its chip: the pin number of the chip's controller.</summary>
    public int Line => Settings.Line;

    public void Attach(GpioChip chip, GpioEdgeBuffer? edges)
    {
        Chip = chip;
        Edges = edges;
        Error = null;
    }

    /// <summary>Marks the pin closed; new writes are refused with <paramref name="why"/>.</summary>
    public void Detach(string why)
    {
        Chip = null;
        Edges = null;
        Error = why;
    }

    /// <summary>Whether an edge is an event (journal, action) and not only a new value.</summary>
    public bool Reports(bool rising) => Settings.EdgeKind switch
    {
        GpioEdge.Both => true,
        GpioEdge.Rising => rising,
        GpioEdge.Falling => !rising,
        _ => false,
    };
}
