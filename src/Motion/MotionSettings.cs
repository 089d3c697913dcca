namespace Edge.Motion;

/// <summary>
/// The <c>Motion</c> section, and what <c>motion.set</c> changes at run time (saved in
/// <c>DATA_DIR/motion.json</c>, which wins over the configuration file as camera settings do).
/// </summary>
public sealed class MotionSettings
{
    public static readonly string[] Actions = ["none", "snapshot", "record"];

    /// <summary>Largest zone grid: rows and columns.</summary>
    public const int MaxZoneCells = 32;

    /// <summary>Whether pictures are analysed at all (off by default: it costs a little CPU all the time).</summary>
    public bool Enabled { get; set; }

    /// <summary>Pictures analysed per second (the camera's others are not looked at).</summary>
    public int Fps { get; set; } = 5;

    /// <summary>1–100: how small a change in brightness counts (100: the faintest).</summary>
    public int Sensitivity { get; set; } = 50;

    /// <summary>Percent of the watched area that must change for a picture to show motion.</summary>
    public double MinAreaPercent { get; set; } = 1;

    /// <summary>
    /// The watched part of the picture as a grid: one string per row, one character per column, <c>#</c>
    /// watched and <c>.</c> not (e.g. <c>["####", "##..", "...."]</c>); each cell covers its share of the
    /// picture. Null or empty: the whole picture.
    /// </summary>
    public string[]? Zones { get; set; }

    /// <summary>Seconds without motion before "motion ended".</summary>
    public int CooldownSeconds { get; set; } = 5;

    /// <summary>What motion starts: <c>none</c>, <c>snapshot</c> (a picture in the files) or <c>record</c> (an event recording).</summary>
    public string Action { get; set; } = "none";

    public string? Validate()
    {
        if (Fps is < 1 or > 30) return $"Fps must be between 1 and 30 (got {Fps})";
        if (Sensitivity is < 1 or > 100) return $"Sensitivity must be between 1 and 100 (got {Sensitivity})";
        if (!(MinAreaPercent is >= 0.01 and <= 100)) return $"MinAreaPercent must be between 0.01 and 100 (got {MinAreaPercent})";
        if (CooldownSeconds is < 1 or > 3600) return $"CooldownSeconds must be between 1 and 3600 (got {CooldownSeconds})";
        if (Array.IndexOf(Actions, Action) < 0) return $"Action must be one of {string.Join(", ", Actions)} (got '{Action}')";
        return ZonesProblem(Zones);
    }

    public MotionSettings Clone()
    {
        var copy = (MotionSettings)MemberwiseClone();
        copy.Zones = Zones is null ? null : [.. Zones];
        return copy;
    }

    private static string? ZonesProblem(string[]? zones)
    {
        if (zones is null || zones.Length == 0) return null;
        if (zones.Length > MaxZoneCells) return $"Zones may have at most {MaxZoneCells} rows (got {zones.Length})";
        int columns = zones[0]?.Length ?? 0;
        if (columns is < 1 or > MaxZoneCells) return $"Zones rows must have 1 to {MaxZoneCells} columns (got {columns})";
        bool watched = false;
        foreach (string? row in zones)
        {
            if (row is null || row.Length != columns) return $"Zones rows must all have {columns} columns";
            foreach (char cell in row)
            {
                if (cell is not ('#' or '.')) return $"Zones cells are '#' (watched) or '.' (not watched), not '{cell}'";
                watched |= cell == '#';
            }
        }
        return watched ? null : "Zones must watch at least one cell ('#')";
    }
}
