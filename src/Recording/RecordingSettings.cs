namespace Edge.Recording;

/// <summary>The <c>Recording</c> section: what is recorded to <c>DATA_DIR/recordings</c>, and for how long it is kept.</summary>
public sealed class RecordingSettings
{
    public static readonly string[] Modes = ["off", "continuous", "events"];

    /// <summary><c>off</c> (only <c>recording.start</c> records), <c>continuous</c>, or <c>events</c> (GPIO, API, motion).</summary>
    public string Mode { get; set; } = "off";

    /// <summary>A file is closed at the first key frame after this long and the next one begins.</summary>
    public int SegmentSeconds { get; set; } = 60;

    /// <summary>Seconds before an event that its recording holds (kept in memory as encoded GOPs).</summary>
    public int PreRollSeconds { get; set; } = 5;

    /// <summary>Seconds an event's recording goes on after its last trigger.</summary>
    public int PostRollSeconds { get; set; } = 10;

    /// <summary>
    /// For cameras without H.264 (no encoder): seconds between the JPEG pictures of a timelapse
    /// (<c>.avi</c>) recorded instead.
    /// </summary>
    public int TimelapseSeconds { get; set; } = 10;

    /// <summary>Recordings older than this many days are deleted; 0 keeps them until space runs short.</summary>
    public int RetentionDays { get; set; }

    /// <summary>
    /// All recordings together stay below this many bytes (oldest deleted first); 0: only
    /// <c>Files:ReserveBytes</c> bounds them.
    /// </summary>
    public long MaxBytes { get; set; }

    public string? Validate()
    {
        if (Array.IndexOf(Modes, Mode) < 0) return $"Mode must be one of {string.Join(", ", Modes)} (got '{Mode}')";
        if (SegmentSeconds is < 5 or > 3600) return $"SegmentSeconds must be between 5 and 3600 (got {SegmentSeconds})";
        if (PreRollSeconds is < 0 or > 30) return $"PreRollSeconds must be between 0 and 30 (got {PreRollSeconds})";
        if (PostRollSeconds is < 0 or > 3600) return $"PostRollSeconds must be between 0 and 3600 (got {PostRollSeconds})";
        if (TimelapseSeconds is < 1 or > 3600) return $"TimelapseSeconds must be between 1 and 3600 (got {TimelapseSeconds})";
        if (RetentionDays is < 0 or > 3650) return $"RetentionDays must be between 0 and 3650 (got {RetentionDays})";
        if (MaxBytes < 0) return $"MaxBytes must not be negative (got {MaxBytes})";
        return null;
    }
}
