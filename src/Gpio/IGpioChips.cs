namespace Edge.Gpio;

/// <summary>
/// Where GPIO chips come from: the kernel's character devices or memory. Lists every chip with its
/// lines (<c>gpio.chips</c>) and makes the <see cref="GpioChipDriver"/> that a
/// <see cref="System.Device.Gpio.GpioController"/> drives one chip with. Listing may block (a chip behind
/// I2C sleeps), so it runs on the worker pool.
/// </summary>
public interface IGpioChips
{
    /// <summary><c>chardev</c> or <c>memory</c>.</summary>
    string Name { get; }

    /// <summary>Every chip with its lines; a chip that cannot be read is listed with its error.</summary>
    IReadOnlyList<GpioChipInfo> ListChips();

    /// <summary>The driver of <paramref name="chip"/> (<c>gpiochipN</c>); touches nothing until a pin is opened.</summary>
    GpioChipDriver CreateDriver(string chip);
}
