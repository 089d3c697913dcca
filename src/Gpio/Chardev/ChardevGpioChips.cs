using System.Globalization;
using Edge.Native;
using static Edge.Gpio.Chardev.GpioIoctl;
using static Edge.Native.Libc;

namespace Edge.Gpio.Chardev;

/// <summary>
/// The kernel's GPIO chips, <c>/dev/gpiochipN</c> (uAPI v2): listed with their lines, driven by
/// <see cref="ChardevGpioDriver"/>.
/// </summary>
/// <param name="devDirectory">Where the chip nodes are (tests point it elsewhere).</param>
public sealed unsafe class ChardevGpioChips(string devDirectory = "/dev") : IGpioChips
{
    public string Name => "chardev";

    public GpioChipDriver CreateDriver(string chip) => new ChardevGpioDriver(devDirectory, chip);

    public IReadOnlyList<GpioChipInfo> ListChips()
    {
        var chips = new List<GpioChipInfo>();
        foreach (string chip in ChipNames()) chips.Add(Describe(chip));
        return chips;
    }

    private GpioChipInfo Describe(string name)
    {
        int chip;
        try { chip = ChardevChip.Open(devDirectory, name); }
        catch (GpioException e) { return new GpioChipInfo(name, null, [], e.Message); }
        try
        {
            var info = ChardevChip.ReadInfo(name, chip);
            var lines = new List<GpioLineInfo>((int)info.lines);
            for (uint offset = 0; offset < info.lines; offset++)
            {
                var line = new gpio_v2_line_info { offset = offset };
                int errno = TryIoctl(chip, GPIO_V2_GET_LINEINFO_IOCTL, &line);
                if (errno != 0) throw GpioException.FromErrno($"{name} line {offset}", "GPIO_V2_GET_LINEINFO_IOCTL", errno);
                lines.Add(new GpioLineInfo((int)offset, Text(line.name), Text(line.consumer), GpioLineFlags.Describe(line.flags),
                    Debounce(&line)));
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

    // The gpiochipN nodes, in number order.
    private List<string> ChipNames()
    {
        if (!Directory.Exists(devDirectory)) return [];
        var numbers = new List<int>();
        foreach (string path in Directory.EnumerateFiles(devDirectory, "gpiochip*"))
        {
            if (int.TryParse(Path.GetFileName(path).AsSpan("gpiochip".Length), NumberStyles.None, CultureInfo.InvariantCulture,
                out int number))
                numbers.Add(number);
        }
        numbers.Sort();
        return numbers.ConvertAll(number => $"gpiochip{number}");
    }
}
