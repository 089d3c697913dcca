namespace Edge.State;

/// <summary>The <c>Journal</c> section: how much event history the data directory keeps.</summary>
public sealed class JournalSettings
{
    /// <summary>A journal file is rotated once it would grow past this.</summary>
    public int MaxFileBytes { get; set; } = 1 << 20;

    /// <summary>Files kept, the current one included; the oldest is deleted on rotation.</summary>
    public int Files { get; set; } = 4;

    public string? Validate()
    {
        if (MaxFileBytes is < 65536 or > 64 << 20) return $"MaxFileBytes must be between 65536 and {64 << 20} (got {MaxFileBytes})";
        if (Files is < 2 or > 100) return $"Files must be between 2 and 100 (got {Files})";
        return null;
    }
}
