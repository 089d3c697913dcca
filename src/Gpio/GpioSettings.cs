namespace Edge.Gpio;

/// <summary>The <c>Gpio</c> section: which driver, and the named pins.</summary>
public sealed class GpioSettings
{
    public const int MaxPins = 64;

    public static readonly string[] Drivers = ["chardev", "memory"];

    /// <summary>
    /// <c>chardev</c> (the kernel's GPIO character devices, /dev/gpiochipN) or <c>memory</c>
    /// (simulated lines: for tests and for trying a configuration on a machine without GPIO).
    /// </summary>
    public string Driver { get; set; } = "chardev";

    public List<GpioPinSettings> Pins { get; set; } = [];

    /// <summary>An IR-cut filter on one of the output pins, or null.</summary>
    public IrCutSettings? IrCut { get; set; }

    /// <summary>The first problem (naming the setting), or null when the section is usable.</summary>
    public string? Validate()
    {
        if (Array.IndexOf(Drivers, Driver) < 0) return $"Driver must be one of {string.Join(", ", Drivers)} (got '{Driver}')";
        if (Pins.Count > MaxPins) return $"Pins: at most {MaxPins} pins (got {Pins.Count})";
        for (int i = 0; i < Pins.Count; i++)
        {
            var pin = Pins[i];
            if (pin.Validate() is { } problem) return $"Pins:{i}:{problem}";
            for (int j = 0; j < i; j++)
            {
                if (Pins[j].Name == pin.Name) return $"Pins:{i}:Name '{pin.Name}' appears twice (also Pins:{j})";
                if (Pins[j].Chip == pin.Chip && Pins[j].Line == pin.Line)
                    return $"Pins:{i}:Line {pin.Line} of {pin.Chip} is already pin '{Pins[j].Name}' (Pins:{j})";
            }
        }
        return IrCut?.Validate(Pins) is { } irCut ? $"IrCut:{irCut}" : null;
    }
}
