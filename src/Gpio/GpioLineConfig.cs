namespace Edge.Gpio;

public enum GpioBias { AsIs, PullUp, PullDown, Disabled }

public enum GpioEdge { None, Rising, Falling, Both }

/// <summary>
/// What a driver requests for one line. Inputs always report both edges, so a pin's state follows
/// its level; which edges are events is the pin's <see cref="GpioPinSettings.Edge"/>.
/// </summary>
/// <param name="Initial">An output's value once requested (after active-low).</param>
/// <param name="Consumer">The label other programs see on the line (<c>gpioinfo</c>).</param>
public sealed record GpioLineConfig(string Chip, int Line, bool Output, bool ActiveLow, GpioBias Bias, int DebounceMs, int Initial, string Consumer)
{
    /// <summary>"gpiochip0 line 17", for messages.</summary>
    public string Describe() => $"{Chip} line {Line}";
}
