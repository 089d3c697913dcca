using System.Device.Gpio;
using Edge.Native;

namespace Edge.Gpio.Memory;

/// <summary>
/// One chip of <see cref="MemoryGpioChips"/> as a <see cref="GpioChipDriver"/>, requesting lines as
/// the chardev driver does: opening a pin checks the chip and the line, setting its mode requests it
/// (busy when another request holds it).
/// </summary>
public sealed class MemoryGpioDriver : GpioChipDriver
{
    private readonly MemoryGpioChips _chips;
    // Opened pins; a request once the mode is set. Under the chips' lock.
    private readonly Dictionary<int, MemoryLineRequest?> _pins = [];
    private readonly ManualResetEventSlim _edgesWaiting = new();

    internal MemoryGpioDriver(MemoryGpioChips chips, string chip) : base(chip) => _chips = chips;

    protected override int PinCount
    {
        get
        {
            lock (_chips.Sync) return _chips.LineCount(Chip);
        }
    }

    /// <summary>An edge of a line this driver detects was buffered.</summary>
    internal void EdgeArrived() => _edgesWaiting.Set();

    protected override void OpenPin(int pinNumber)
    {
        lock (_chips.Sync)
        {
            int lines = _chips.LineCount(Chip);
            if ((uint)pinNumber >= (uint)lines) throw GpioException.NoLine(Chip, lines, pinNumber);
            _pins.TryAdd(pinNumber, null);
        }
    }

    protected override void CloseLine(int line)
    {
        lock (_chips.Sync)
            if (_pins.Remove(line, out var request)) request?.Release();
    }

    protected override void SetPinMode(int pinNumber, PinMode mode) => SetPinMode(pinNumber, mode, PinValue.Low);

    protected override void SetPinMode(int pinNumber, PinMode mode, PinValue initialValue)
    {
        var options = LineOptions(pinNumber);
        var edges = mode == PinMode.Output ? PinEventTypes.None : WatchedEdges(pinNumber);
        lock (_chips.Sync)
        {
            if (!_pins.TryGetValue(pinNumber, out var request)) throw NotOpen(pinNumber);
            if (request == null)
            {
                var line = _chips.Find(Chip, pinNumber) ?? throw GpioException.NoChip(Chip);
                if (line.Request != null) throw GpioException.FromErrno(Describe(pinNumber), "requesting the line", Libc.EBUSY);
                request = new MemoryLineRequest(this, pinNumber, line, options);
                line.Request = request;
                _pins[pinNumber] = request;
            }
            request.Configure(mode, initialValue == PinValue.High ? 1 : 0, edges);
        }
    }

    protected override PinMode GetPinMode(int pinNumber)
    {
        lock (_chips.Sync) return Request(pinNumber, "reading the mode").Mode;
    }

    protected override bool IsPinModeSupported(int pinNumber, PinMode mode) => true;

    protected override PinValue Read(int pinNumber)
    {
        lock (_chips.Sync) return Request(pinNumber, "reading the value").Read();
    }

    protected override void Write(int pinNumber, PinValue value)
    {
        lock (_chips.Sync) Request(pinNumber, "writing the value").Write(value == PinValue.High ? 1 : 0);
    }

    protected override void SetEdges(int line, PinEventTypes edges)
    {
        lock (_chips.Sync)
        {
            var request = Request(line, "detecting edges");
            if (request.Mode == PinMode.Output && edges != PinEventTypes.None)
                throw GpioException.EdgesOnInputsOnly(Describe(line));
            request.Edges = edges;
        }
    }

    public override void DispatchEdges(CancellationToken cancellationToken)
    {
        var edges = new List<(int Offset, MemoryEdge Edge)>();
        while (!cancellationToken.IsCancellationRequested)
        {
            // Reset before looking, so an edge that arrives while delivering wakes the next wait.
            _edgesWaiting.Reset();
            edges.Clear();
            lock (_chips.Sync)
                foreach (var request in _pins.Values)
                    request?.TakeEdges(edges);
            foreach (var (offset, edge) in edges) Raise(offset, edge.Rising, edge.LineSeqno);
            try { _edgesWaiting.Wait(cancellationToken); }
            catch (OperationCanceledException) { return; }
        }
    }

    protected override void Dispose(bool disposing)
    {
        lock (_chips.Sync)
        {
            foreach (var request in _pins.Values) request?.Release();
            _pins.Clear();
        }
        base.Dispose(disposing);
    }

    private MemoryLineRequest Request(int pinNumber, string operation)
    {
        if (!_pins.TryGetValue(pinNumber, out var request)) throw NotOpen(pinNumber);
        return request ?? throw GpioException.NoMode(Describe(pinNumber), operation);
    }

    private GpioException NotOpen(int pinNumber) => GpioException.NotOpen(Describe(pinNumber));
}
