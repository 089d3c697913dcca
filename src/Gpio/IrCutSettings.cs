using System.Globalization;

namespace Edge.Gpio;

/// <summary>
/// <c>Gpio:IrCut</c>: an IR-cut filter moved by a GPIO output (1: the filter in front of the sensor, for day;
/// 0: out, so infrared light reaches it at night; <c>activeLow</c> on the pin for the other wiring), in a
/// mode ONVIF's imaging service (and Home Assistant's switch) sets: <c>on</c>, <c>off</c> or <c>auto</c>
/// (a light-sensor input when there is one, else the day's schedule).
/// </summary>
public sealed class IrCutSettings
{
    public static readonly string[] Modes = ["on", "off", "auto"];

    /// <summary>The name of the output pin that moves the filter.</summary>
    public string Pin { get; set; } = "";

    /// <summary>The mode Edge starts in, until ONVIF sets another (saved in <c>DATA_DIR/ircut.json</c>).</summary>
    public string Mode { get; set; } = "auto";

    /// <summary>An input pin that reads 1 in daylight (activeLow for a sensor wired the other way); empty: the schedule.</summary>
    public string LightSensor { get; set; } = "";

    /// <summary>Local time (HH:mm) the filter goes in, in auto mode without a light sensor.</summary>
    public string DayStarts { get; set; } = "07:00";

    /// <summary>Local time (HH:mm) the filter comes out, in auto mode without a light sensor.</summary>
    public string NightStarts { get; set; } = "19:00";

    public TimeOnly DayStart => TimeOnly.ParseExact(DayStarts, "HH:mm", CultureInfo.InvariantCulture);

    public TimeOnly NightStart => TimeOnly.ParseExact(NightStarts, "HH:mm", CultureInfo.InvariantCulture);

    /// <summary>Daylight by the schedule at local time <paramref name="time"/> (a night that spans midnight too).</summary>
    public bool IsDay(TimeOnly time) => DayStart <= NightStart
        ? time >= DayStart && time < NightStart
        : time >= DayStart || time < NightStart;

    /// <summary>The first problem, given the section's pins.</summary>
    public string? Validate(IReadOnlyList<GpioPinSettings> pins)
    {
        if (Array.IndexOf(Modes, Mode) < 0) return $"Mode must be one of {string.Join(", ", Modes)} (got '{Mode}')";
        if (pins.FirstOrDefault(p => p.Name == Pin) is not { IsOutput: true })
            return $"Pin must name an output pin of the Gpio section (got '{Pin}')";
        if (LightSensor.Length > 0 && pins.FirstOrDefault(p => p.Name == LightSensor) is not { IsOutput: false })
            return $"LightSensor must name an input pin of the Gpio section (got '{LightSensor}')";
        foreach (var (name, value) in new[] { ("DayStarts", DayStarts), ("NightStarts", NightStarts) })
        {
            if (!TimeOnly.TryParseExact(value, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
                return $"{name} must be a time of day as HH:mm (got '{value}')";
        }
        return DayStarts == NightStarts ? "DayStarts and NightStarts must differ" : null;
    }
}
