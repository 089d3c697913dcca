using System.Device.Gpio;
using System.Globalization;

namespace Edge.Gpio;

/// <summary>
/// One named pin of the <c>Gpio</c> section: <c>{"Name":"ir_cut","Chip":"gpiochip0","Line":17,"Direction":"output","Initial":0}</c>
/// or <c>{"Name":"button","Line":27,"Direction":"input","Edge":"falling","DebounceMs":20,"Bias":"pull-up","Action":"snapshot"}</c>.
/// </summary>
public sealed class GpioPinSettings
{
    /// <summary>The kernel keeps line numbers of a chip in 16 bits.</summary>
    public const int MaxLine = 65535;
    public const int MaxNameLength = 32;
    public const int MaxDebounceMs = 1000;

    // Each list is in the order of its enum.
    public static readonly string[] Directions = ["input", "output"];
    public static readonly string[] Edges = ["none", "rising", "falling", "both"];
    public static readonly string[] Biases = ["as-is", "pull-up", "pull-down", "disabled"];
    public static readonly string[] Actions = ["none", "snapshot", "record"];

    /// <summary>The pin's state key is <c>gpio.</c> and this name.</summary>
    public string Name { get; set; } = "";

    public string Chip { get; set; } = "gpiochip0";

    /// <summary>The line's offset on its chip (the number <c>gpioinfo</c> shows).</summary>
    public int Line { get; set; } = -1;

    public string Direction { get; set; } = "input";

    /// <summary>1 means low: values and edges are read and written inverted.</summary>
    public bool ActiveLow { get; set; }

    /// <summary>An output's value when Edge opens it (0 when not set).</summary>
    public int? Initial { get; set; }

    /// <summary>An input's edges that are events (journal, action): none, rising, falling or both. Its state follows every edge.</summary>
    public string? Edge { get; set; }

    public string Bias { get; set; } = "as-is";

    /// <summary>The kernel's debounce period for an input.</summary>
    public int? DebounceMs { get; set; }

    /// <summary>What an input's event does: none, or snapshot (save the camera's picture to the data directory's files/).</summary>
    public string? Action { get; set; }

    internal bool IsOutput => Direction == "output";

    internal GpioEdge EdgeKind => (GpioEdge)Math.Max(0, Array.IndexOf(Edges, Edge ?? "none"));

    internal string ActionName => Action ?? "none";

    /// <summary>The first problem (naming the setting), or null when the pin is usable.</summary>
    public string? Validate()
    {
        if (Name.Length is 0 or > MaxNameLength || !IsName(Name))
            return $"Name must be 1 to {MaxNameLength} letters, digits, '_' or '-' (got '{Name}')";
        if (Name == GpioService.StatusName) return $"Name '{Name}' is taken by the state key gpio.{GpioService.StatusName}";
        if (!Chip.StartsWith("gpiochip", StringComparison.Ordinal) || Chip.Length is 8 or > 11
            || !int.TryParse(Chip.AsSpan(8), NumberStyles.None, CultureInfo.InvariantCulture, out _))
            return $"Chip must name a chip as gpiochipN, like gpiochip0 (got '{Chip}')";
        if (Line < 0) return "Line is required (the line's number on its chip, as gpioinfo shows it)";
        if (Line > MaxLine) return $"Line must be between 0 and {MaxLine} (got {Line})";
        if (Array.IndexOf(Directions, Direction) < 0) return $"Direction must be input or output (got '{Direction}')";
        if (Array.IndexOf(Biases, Bias) < 0) return $"Bias must be one of {string.Join(", ", Biases)} (got '{Bias}')";
        if (IsOutput)
        {
            if (Edge != null) return "Edge applies to inputs only";
            if (DebounceMs != null) return "DebounceMs applies to inputs only";
            if (Action != null) return "Action applies to inputs only";
            if (Initial is not (null or 0 or 1)) return $"Initial must be 0 or 1 (got {Initial})";
            return null;
        }
        if (Initial != null) return "Initial applies to outputs only";
        if (Edge != null && Array.IndexOf(Edges, Edge) < 0) return $"Edge must be one of {string.Join(", ", Edges)} (got '{Edge}')";
        if (DebounceMs is < 0 or > MaxDebounceMs) return $"DebounceMs must be between 0 and {MaxDebounceMs} (got {DebounceMs})";
        if (Action != null && Array.IndexOf(Actions, Action) < 0)
            return $"Action must be one of {string.Join(", ", Actions)} (got '{Action}')";
        if (ActionName != "none" && EdgeKind == GpioEdge.None) return "Action needs an Edge to run on (rising, falling or both)";
        return null;
    }

    /// <summary>The pin's mode for <see cref="GpioController"/>: an input's pull is part of it.</summary>
    internal PinMode Mode => IsOutput ? PinMode.Output : BiasKind switch
    {
        GpioBias.PullUp => PinMode.InputPullUp,
        GpioBias.PullDown => PinMode.InputPullDown,
        _ => PinMode.Input,
    };

    /// <summary>The rest of what the line is requested with.</summary>
    internal GpioLineOptions LineOptions() => new(ActiveLow, BiasKind, DebounceMs ?? 0, $"edge:{Name}");

    private GpioBias BiasKind => (GpioBias)Array.IndexOf(Biases, Bias);

    private static bool IsName(string name)
    {
        foreach (char c in name)
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '-')) return false;
        return true;
    }
}
