namespace Edge.Camera;

/// <summary>
/// The <c>Camera</c> section, and what <c>camera.set</c> changes (saved in the data directory's
/// <c>camera.json</c>, which then takes precedence over the section).
/// </summary>
public sealed class CameraSettings
{
    /// <summary><c>testpattern</c> (default), <c>v4l2</c> or <c>pipe</c>.</summary>
    public string Source { get; set; } = "testpattern";

    /// <summary>The V4L2 device node.</summary>
    public string Device { get; set; } = "/dev/video0";

    /// <summary>The pipe source's command line (run by /bin/sh).</summary>
    public string Command { get; set; } = "";

    /// <summary>
    /// What the camera delivers: <c>mjpeg</c>, <c>yuyv</c>, <c>nv12</c>, <c>i420</c> or
    /// <c>h264</c>. Ignored by the test pattern.
    /// </summary>
    public string Format { get; set; } = "mjpeg";

    public int Width { get; set; } = 1280;

    public int Height { get; set; } = 720;

    public int Fps { get; set; } = 30;

    /// <summary>JPEG quality (1–100) when Edge encodes.</summary>
    public int Quality { get; set; } = 80;

    /// <summary>Chroma subsampling when Edge encodes a 4:2:2 source: <c>420</c> (smaller files) or <c>422</c>.</summary>
    public string Subsampling { get; set; } = "420";

    /// <summary>How long <c>/snapshot.jpg</c> waits for a first frame before answering 503.</summary>
    public int SnapshotTimeoutSeconds { get; set; } = 5;

    /// <summary>A viewer whose connection takes no data for this long is dropped.</summary>
    public int ViewerTimeoutSeconds { get; set; } = 10;

    /// <summary>MJPEG viewers at once; more get 503.</summary>
    public int MaxViewers { get; set; } = 100;

    /// <summary>
    /// The <c>H264</c> section, saved with the rest by <c>camera.set</c>; null in a <c>camera.json</c>
    /// from before it existed (the configured section applies then: <see cref="SavedCameraSettings"/>).
    /// </summary>
    public H264Settings? H264 { get; set; }

    public static readonly string[] Sources = ["testpattern", "v4l2", "pipe"];

    private static readonly H264Settings DefaultH264 = new();

    /// <summary>The H.264 settings, or the defaults (a method, so JSON leaves it out).</summary>
    public H264Settings H264OrDefault() => H264 ?? DefaultH264;

    public CameraSettings Clone()
    {
        var clone = (CameraSettings)MemberwiseClone();
        clone.H264 = H264?.Clone();
        return clone;
    }

    /// <summary>The settings a running source was made from are the same (only H.264 settings may differ).</summary>
    public bool SameSource(CameraSettings other)
        => Source == other.Source && Device == other.Device && Command == other.Command && Format == other.Format
            && Width == other.Width && Height == other.Height && Fps == other.Fps && Quality == other.Quality
            && Subsampling == other.Subsampling;

    /// <summary>The first problem with these settings (naming the setting), or null when they are usable.</summary>
    public string? Validate()
    {
        if (!Sources.Contains(Source)) return $"Source must be one of {string.Join(", ", Sources)} (got '{Source}')";
        if (Source is "pipe" or "v4l2" && CameraFormats.Parse(Format) == null)
            return $"Format must be one of {string.Join(", ", CameraFormats.Names)} for a {Source} source (got '{Format}')";
        if (Source == "pipe" && string.IsNullOrWhiteSpace(Command)) return "Command is required for a pipe source";
        if (Source == "v4l2" && DeviceProblem(Device) is { } device) return device;
        if (Width is < 16 or > 4096 || Height is < 16 or > 4096)
            return $"Width and Height must be between 16 and 4096 (got {Width}×{Height})";
        if ((Width & 1) != 0 || (Height & 1) != 0) return $"Width and Height must be even (got {Width}×{Height})";
        if (Fps is < 1 or > 120) return $"Fps must be between 1 and 120 (got {Fps})";
        if (Quality is < 1 or > 100) return $"Quality must be between 1 and 100 (got {Quality})";
        if (Subsampling is not ("420" or "422")) return $"Subsampling must be 420 or 422 (got '{Subsampling}')";
        if (SnapshotTimeoutSeconds is < 1 or > 60) return $"SnapshotTimeoutSeconds must be between 1 and 60 (got {SnapshotTimeoutSeconds})";
        if (ViewerTimeoutSeconds is < 1 or > 3600) return $"ViewerTimeoutSeconds must be between 1 and 3600 (got {ViewerTimeoutSeconds})";
        if (MaxViewers is < 1 or > 10_000) return $"MaxViewers must be between 1 and 10000 (got {MaxViewers})";
        return H264?.Validate();
    }

    /// <summary>
    /// Why <paramref name="device"/> cannot name a camera by its path alone: it must be a /dev/video*
    /// node or a /dev/v4l/ link, spelled plainly (no "..", no "//"), so a check of its prefix holds.
    /// </summary>
    public static string? DeviceProblem(string device)
    {
        bool plain = device.StartsWith('/') && !device.Contains('\0') && Path.GetFullPath(device) == device;
        if (plain
            && (device.StartsWith("/dev/video", StringComparison.Ordinal) || device.StartsWith("/dev/v4l/", StringComparison.Ordinal)))
            return null;
        return $"Device must be a /dev/video* node or a /dev/v4l/ link, without '..' (got '{device}')";
    }

    /// <summary>The camera delivers H.264 (for RTSP /h264): no JPEG stream, no snapshots.</summary>
    public bool DeliversH264 => Source != "testpattern" && Format == CameraFormat.H264.Name();

    /// <summary>The format, parsed (settings are validated before use); a method, so JSON leaves it out.</summary>
    public CameraFormat FormatKind() => CameraFormats.Parse(Format) ?? CameraFormat.Mjpeg;

    /// <summary>How old a frame may be and still count as current: two frame intervals (a method, so JSON leaves it out).</summary>
    public TimeSpan FreshFor() => TimeSpan.FromSeconds(2.0 / Fps) + TimeSpan.FromMilliseconds(50);

    /// <summary>The planar layout Edge encodes from (NV12 and I420 sources are 4:2:0 already).</summary>
    public PixelFormat Layout
        => Subsampling == "422" && FormatKind() is not (CameraFormat.Nv12 or CameraFormat.I420) ? PixelFormat.I422 : PixelFormat.I420;
}
