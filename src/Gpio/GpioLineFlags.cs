using System.Device.Gpio;

namespace Edge.Gpio;

/// <summary>
/// The uAPI v2 line flags (<c>enum gpio_v2_line_flag</c> of &lt;linux/gpio.h&gt;): what a request asks
/// for and what line info reports. Both drivers use them, so <c>gpio.chips</c> reads the same.
/// </summary>
internal static class GpioLineFlags
{
    public const ulong GPIO_V2_LINE_FLAG_USED = 1UL << 0;
    public const ulong GPIO_V2_LINE_FLAG_ACTIVE_LOW = 1UL << 1;
    public const ulong GPIO_V2_LINE_FLAG_INPUT = 1UL << 2;
    public const ulong GPIO_V2_LINE_FLAG_OUTPUT = 1UL << 3;
    public const ulong GPIO_V2_LINE_FLAG_EDGE_RISING = 1UL << 4;
    public const ulong GPIO_V2_LINE_FLAG_EDGE_FALLING = 1UL << 5;
    public const ulong GPIO_V2_LINE_FLAG_OPEN_DRAIN = 1UL << 6;
    public const ulong GPIO_V2_LINE_FLAG_OPEN_SOURCE = 1UL << 7;
    public const ulong GPIO_V2_LINE_FLAG_BIAS_PULL_UP = 1UL << 8;
    public const ulong GPIO_V2_LINE_FLAG_BIAS_PULL_DOWN = 1UL << 9;
    public const ulong GPIO_V2_LINE_FLAG_BIAS_DISABLED = 1UL << 10;
    public const ulong GPIO_V2_LINE_FLAG_EVENT_CLOCK_REALTIME = 1UL << 11;
    public const ulong GPIO_V2_LINE_FLAG_EVENT_CLOCK_HTE = 1UL << 12;

    // Bit i's name.
    private static readonly string[] Names =
        ["used", "active-low", "input", "output", "edge-rising", "edge-falling", "open-drain", "open-source",
         "pull-up", "pull-down", "bias-disabled", "clock-realtime", "clock-hte"];

    /// <summary>
    /// The flags of a line in <paramref name="mode"/> detecting <paramref name="edges"/>: direction, the
    /// mode's pull or else the options' bias, active-low.
    /// </summary>
    public static ulong For(PinMode mode, GpioLineOptions options, PinEventTypes edges)
    {
        ulong flags = mode == PinMode.Output ? GPIO_V2_LINE_FLAG_OUTPUT : GPIO_V2_LINE_FLAG_INPUT;
        if ((edges & PinEventTypes.Rising) != 0) flags |= GPIO_V2_LINE_FLAG_EDGE_RISING;
        if ((edges & PinEventTypes.Falling) != 0) flags |= GPIO_V2_LINE_FLAG_EDGE_FALLING;
        if (options.ActiveLow) flags |= GPIO_V2_LINE_FLAG_ACTIVE_LOW;
        var bias = mode switch
        {
            PinMode.InputPullUp => GpioBias.PullUp,
            PinMode.InputPullDown => GpioBias.PullDown,
            _ => options.Bias,
        };
        return flags | bias switch
        {
            GpioBias.PullUp => GPIO_V2_LINE_FLAG_BIAS_PULL_UP,
            GpioBias.PullDown => GPIO_V2_LINE_FLAG_BIAS_PULL_DOWN,
            GpioBias.Disabled => GPIO_V2_LINE_FLAG_BIAS_DISABLED,
            _ => 0,
        };
    }

    /// <summary>The names of the set flags, lowest bit first.</summary>
    public static List<string> Describe(ulong flags)
    {
        var names = new List<string>();
        for (int bit = 0; bit < Names.Length; bit++)
            if ((flags & (1UL << bit)) != 0) names.Add(Names[bit]);
        return names;
    }
}
