using System.Device.Gpio;
using Edge.Native;
using static Edge.Gpio.Chardev.GpioIoctl;
using static Edge.Native.Libc;

namespace Edge.Gpio.Chardev;

/// <summary>
/// One chip through the kernel's GPIO character device (uAPI v2), without libgpiod. Opening a pin checks
/// the chip and the line; setting its mode requests the line in one ioctl with everything it needs
/// (direction, the pull or bias, active-low, the kernel's debounce, an output's first value, so an output
/// does not glitch); later mode and edge changes reconfigure that request; closing releases it.
/// </summary>
public sealed unsafe class ChardevGpioDriver(string devDirectory, string chip) : GpioChipDriver(chip)
{
    private readonly Dictionary<int, ChardevLine> _lines = [];

    protected override int PinCount => ChardevChip.Lines(devDirectory, Chip);

    protected override void OpenPin(int pinNumber)
    {
        int lines = PinCount;
        if ((uint)pinNumber >= (uint)lines) throw GpioException.NoLine(Chip, lines, pinNumber);
        lock (Sync) _lines.TryAdd(pinNumber, new ChardevLine(pinNumber, Describe(pinNumber)));
    }

    protected override void CloseLine(int line)
    {
        ChardevLine? closed;
        lock (Sync) _lines.Remove(line, out closed);
        closed?.Dispose();
    }

    // Without an initial value an output starts low, as the kernel's own default.
    protected override void SetPinMode(int pinNumber, PinMode mode) => SetPinMode(pinNumber, mode, PinValue.Low);

    protected override void SetPinMode(int pinNumber, PinMode mode, PinValue initialValue)
    {
        var line = Line(pinNumber);
        Configure(line, mode, initialValue == PinValue.High ? 1 : 0, mode == PinMode.Output ? PinEventTypes.None : WatchedEdges(pinNumber));
    }

    protected override PinMode GetPinMode(int pinNumber) => Line(pinNumber).Mode;

    // Whether the chip can pull a line is known only when the line is requested; the request says so.
    protected override bool IsPinModeSupported(int pinNumber, PinMode mode) => true;

    protected override PinValue Read(int pinNumber) => Line(pinNumber).Read();

    protected override void Write(int pinNumber, PinValue value) => Line(pinNumber).Write(value == PinValue.High ? 1 : 0);

    protected override void SetEdges(int line, PinEventTypes edges)
    {
        var requested = Line(line);
        if (requested.Mode == PinMode.Output && edges != PinEventTypes.None)
            throw GpioException.EdgesOnInputsOnly(requested.Description);
        Configure(requested, requested.Mode, 0, edges);
    }

    public override void DispatchEdges(CancellationToken cancellationToken)
    {
        List<ChardevLine> watched;
        lock (Sync) watched = [.. _lines.Values.Where(line => line.Fd >= 0 && line.Edges != PinEventTypes.None)];
        if (watched.Count == 0)
        {
            cancellationToken.WaitHandle.WaitOne();
            return;
        }
        ChardevEdgeReader.Run(watched, (line, rising, lineSeqno) => Raise(line.Offset, rising, lineSeqno), cancellationToken);
    }

    protected override void Dispose(bool disposing)
    {
        // Also from the finalizer: the requests are descriptors, not managed objects.
        lock (Sync)
        {
            foreach (var line in _lines.Values) line.Dispose();
            _lines.Clear();
        }
        base.Dispose(disposing);
    }

    private ChardevLine Line(int pinNumber)
    {
        lock (Sync)
            return _lines.TryGetValue(pinNumber, out var line) ? line : throw GpioException.NotOpen(Describe(pinNumber));
    }

    private void Configure(ChardevLine line, PinMode mode, int outputValue, PinEventTypes edges)
    {
        var options = LineOptions(line.Offset);
        var config = new gpio_v2_line_config { flags = GpioLineFlags.For(mode, options, edges) };
        var attributes = (gpio_v2_line_config_attribute*)config.attrs;
        if (mode == PinMode.Output)
            attributes[config.num_attrs++] = Attribute(GPIO_V2_LINE_ATTR_ID_OUTPUT_VALUES, (ulong)outputValue);
        else if (options.DebounceMs > 0)
            attributes[config.num_attrs++] = Attribute(GPIO_V2_LINE_ATTR_ID_DEBOUNCE, (ulong)options.DebounceMs * 1000);
        if (line.Fd < 0) line.Fd = Request(line, options, &config);
        else
        {
            int errno = TryIoctl(line.Fd, GPIO_V2_LINE_SET_CONFIG_IOCTL, &config);
            if (errno != 0) throw GpioException.FromErrno(line.Description, "configuring the line", errno);
        }
        line.Mode = mode;
        line.Edges = edges;
    }

    private int Request(ChardevLine line, GpioLineOptions options, gpio_v2_line_config* config)
    {
        var request = new gpio_v2_line_request { num_lines = 1, config = *config };
        request.offsets[0] = (uint)line.Offset;
        CString.Write(options.Consumer, request.consumer, GPIO_MAX_NAME_SIZE);
        int chip = ChardevChip.Open(devDirectory, Chip);
        try
        {
            int errno = TryIoctl(chip, GPIO_V2_GET_LINE_IOCTL, &request);
            if (errno != 0) throw GpioException.FromErrno(line.Description, "requesting the line", errno);
            return request.fd;
        }
        finally
        {
            // The request keeps its own reference to the chip.
            Close(chip);
        }
    }

    private static gpio_v2_line_config_attribute Attribute(uint id, ulong value)
    {
        var attribute = new gpio_v2_line_config_attribute { mask = 1 };
        attribute.attr.id = id;
        if (id == GPIO_V2_LINE_ATTR_ID_DEBOUNCE) attribute.attr.debounce_period_us = (uint)value;
        else attribute.attr.values = value;
        return attribute;
    }
}
