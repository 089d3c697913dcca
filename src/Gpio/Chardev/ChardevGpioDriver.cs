using System.Globalization;
using Edge.Native;
using static Edge.Gpio.Chardev.GpioIoctl;
using static Edge.Native.Libc;

namespace Edge.Gpio.Chardev;

/// <summary>
/// GPIO through the kernel's character devices (<c>/dev/gpiochipN</c>, uAPI v2): one line request per
/// pin, inputs with both edges and the kernel's debounce, edges read from the request's descriptor.
/// </summary>
/// <param name="devDirectory">Where the chip nodes are (tests point it elsewhere).</param>
public sealed unsafe class ChardevGpioDriver(string devDirectory = "/dev") : IGpioDriver
{
    // How often the edge reader looks at its cancellation token while no edge comes.
    private const int PollTimeoutMs = 250;
    // The kernel buffers 16 edges per line by default; one read takes what is there.
    private const int EventsPerRead = 16;

    public string Name => "chardev";

    public IReadOnlyList<GpioChipInfo> ListChips()
    {
        var chips = new List<GpioChipInfo>();
        foreach (string chip in ChipNames()) chips.Add(Describe(chip));
        return chips;
    }

    public IGpioLine Open(GpioLineConfig config)
    {
        int chip = OpenChip(config.Chip);
        try
        {
            uint lines = ReadChipInfo(config.Chip, chip).lines;
            if ((uint)config.Line >= lines) throw GpioException.NoLine(config.Chip, (int)lines, config.Line);
            var request = new gpio_v2_line_request { num_lines = 1 };
            request.offsets[0] = (uint)config.Line;
            CString.Write(config.Consumer, request.consumer, GPIO_MAX_NAME_SIZE);
            request.config.flags = GpioLineFlags.For(config);
            var attributes = (gpio_v2_line_config_attribute*)request.config.attrs;
            if (config.Output)
                attributes[request.config.num_attrs++] = Attribute(GPIO_V2_LINE_ATTR_ID_OUTPUT_VALUES, (ulong)config.Initial);
            if (config.DebounceMs > 0)
                attributes[request.config.num_attrs++] = Attribute(GPIO_V2_LINE_ATTR_ID_DEBOUNCE, (ulong)config.DebounceMs * 1000);
            int errno = TryIoctl(chip, GPIO_V2_GET_LINE_IOCTL, &request);
            if (errno != 0) throw GpioException.FromErrno(config.Describe(), "requesting the line", errno);
            return new ChardevLine(config.Describe(), request.fd);
        }
        finally
        {
            // The request keeps its own reference to the chip.
            Close(chip);
        }
    }

    public void WatchEdges(IReadOnlyList<IGpioLine> lines, GpioEdgeCallback onEdge, CancellationToken cancellationToken)
    {
        int count = lines.Count;
        var polled = new pollfd[count];
        var events = new gpio_v2_line_event[EventsPerRead];
        fixed (pollfd* fds = polled)
        fixed (gpio_v2_line_event* buffer = events)
        {
            for (int i = 0; i < count; i++) fds[i] = new pollfd { fd = ((ChardevLine)lines[i]).Fd, events = POLLIN };
            while (!cancellationToken.IsCancellationRequested)
            {
                int errno = TryPoll(fds, count, PollTimeoutMs, out int ready);
                if (errno != 0) throw GpioException.FromErrno("GPIO lines", "waiting for edges", errno);
                if (ready == 0) continue;
                for (int i = 0; i < count; i++)
                    if (fds[i].revents != 0) ReadEdges((ChardevLine)lines[i], i, fds[i].revents, buffer, onEdge);
            }
        }
    }

    // One read after POLLIN never blocks, even though the descriptor is blocking: the kernel has at
    // least one whole event, and this thread is its only reader. More events make the next poll ready at once.
    private static void ReadEdges(ChardevLine line, int index, short revents, gpio_v2_line_event* buffer, GpioEdgeCallback onEdge)
    {
        if ((revents & POLLIN) == 0) throw new GpioException($"{line.Description}: the line stopped reporting edges (poll revents 0x{revents:x})");
        int errno = TryRead(line.Fd, buffer, EventsPerRead * sizeof(gpio_v2_line_event), out int read);
        if (errno == EAGAIN) return;
        if (errno != 0) throw GpioException.FromErrno(line.Description, "reading edges", errno);
        if (read == 0) throw new GpioException($"{line.Description}: the line request was closed");
        for (int i = 0; i < read / sizeof(gpio_v2_line_event); i++)
            onEdge(index, buffer[i].id == GPIO_V2_LINE_EVENT_RISING_EDGE, buffer[i].line_seqno);
    }

    private static gpio_v2_line_config_attribute Attribute(uint id, ulong value)
    {
        var attribute = new gpio_v2_line_config_attribute { mask = 1 };
        attribute.attr.id = id;
        if (id == GPIO_V2_LINE_ATTR_ID_DEBOUNCE) attribute.attr.debounce_period_us = (uint)value;
        else attribute.attr.values = value;
        return attribute;
    }

    private GpioChipInfo Describe(string name)
    {
        int chip;
        try { chip = OpenChip(name); }
        catch (GpioException e) { return new GpioChipInfo(name, null, [], e.Message); }
        try
        {
            var info = ReadChipInfo(name, chip);
            var lines = new List<GpioLineInfo>((int)info.lines);
            for (uint offset = 0; offset < info.lines; offset++)
            {
                var line = new gpio_v2_line_info { offset = offset };
                int errno = TryIoctl(chip, GPIO_V2_GET_LINEINFO_IOCTL, &line);
                if (errno != 0) throw GpioException.FromErrno($"{name} line {offset}", "GPIO_V2_GET_LINEINFO_IOCTL", errno);
                lines.Add(new GpioLineInfo((int)offset, Text(line.name), Text(line.consumer), GpioLineFlags.Describe(line.flags), Debounce(&line)));
            }
            return new GpioChipInfo(name, Text(info.label), lines, null);
        }
        catch (GpioException e)
        {
            return new GpioChipInfo(name, null, [], e.Message);
        }
        finally
        {
            Close(chip);
        }
    }

    private static int? Debounce(gpio_v2_line_info* line)
    {
        var attributes = (gpio_v2_line_attribute*)line->attrs;
        for (int i = 0; i < line->num_attrs && i < GPIO_V2_LINE_NUM_ATTRS_MAX; i++)
            if (attributes[i].id == GPIO_V2_LINE_ATTR_ID_DEBOUNCE) return (int)attributes[i].debounce_period_us;
        return null;
    }

    private static string? Text(byte* field) => CString.Read(field, GPIO_MAX_NAME_SIZE) is { Length: > 0 } text ? text : null;

    private int OpenChip(string name)
    {
        string path = Path.Combine(devDirectory, name);
        int errno = TryOpen(path, O_RDWR | O_CLOEXEC, out int fd);
        if (errno == ENOENT) throw GpioException.NoChip(name);
        if (errno != 0) throw GpioException.FromErrno(path, "open", errno);
        return fd;
    }

    private static gpiochip_info ReadChipInfo(string name, int chip)
    {
        var info = new gpiochip_info();
        int errno = TryIoctl(chip, GPIO_GET_CHIPINFO_IOCTL, &info);
        if (errno == ENOTTY) throw new GpioException($"{name} is not a GPIO chip: GPIO_GET_CHIPINFO_IOCTL failed: {Errno.Describe(errno)}", errno);
        if (errno != 0) throw GpioException.FromErrno(name, "GPIO_GET_CHIPINFO_IOCTL", errno);
        return info;
    }

    // The gpiochipN nodes, in number order.
    private List<string> ChipNames()
    {
        if (!Directory.Exists(devDirectory)) return [];
        var numbers = new List<int>();
        foreach (string path in Directory.EnumerateFiles(devDirectory, "gpiochip*"))
        {
            if (int.TryParse(Path.GetFileName(path).AsSpan("gpiochip".Length), NumberStyles.None, CultureInfo.InvariantCulture, out int number))
                numbers.Add(number);
        }
        numbers.Sort();
        return numbers.ConvertAll(number => $"gpiochip{number}");
    }
}
