namespace Edge.Gpio;

public enum GpioBias { AsIs, PullUp, PullDown, Disabled }

public enum GpioEdge { None, Rising, Falling, Both }

/// <summary>
/// What Edge asks of a line beyond <see cref="System.Device.Gpio.PinMode"/>: set on the chip's driver
/// (<see cref="GpioChipDriver.SetLineOptions"/>) before the pin is opened. A bias the mode names
/// (<c>InputPullUp</c>, <c>InputPullDown</c>) wins over <see cref="Bias"/>, which otherwise applies
/// (<c>disabled</c>, or a pull on an output).
/// </summary>
/// <param name="Consumer">The label other programs see on the line (<c>gpioinfo</c>).</param>
public sealed record GpioLineOptions(bool ActiveLow, GpioBias Bias, int DebounceMs, string Consumer)
{
    public static readonly GpioLineOptions Default = new(false, GpioBias.AsIs, 0, "edge");
}
