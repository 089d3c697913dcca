namespace Edge.Files;

/// <summary>The <c>Files</c> section: limits of <c>/files</c> uploads.</summary>
public sealed class FileSettings
{
    /// <summary>Largest file one upload may store.</summary>
    public long MaxFileBytes { get; set; } = 256L << 20;

    /// <summary>Free space an upload must leave on the data directory's file system.</summary>
    public long ReserveBytes { get; set; } = 32L << 20;

    public string? Validate()
    {
        if (MaxFileBytes is < 1 or > 1L << 40) return $"MaxFileBytes must be between 1 and {1L << 40} (got {MaxFileBytes})";
        if (ReserveBytes is < 0 or > 1L << 50) return $"ReserveBytes must be between 0 and {1L << 50} (got {ReserveBytes})";
        return null;
    }
}
