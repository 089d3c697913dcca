namespace Edge.Camera;

/// <summary>
/// The <c>H264</c> section: how Edge makes H.264 from cameras that do not deliver it. Saved with the
/// camera settings when <c>camera.set</c> changes it (<c>{"h264": {"bitrate": 1500}}</c>).
/// </summary>
public sealed class H264Settings
{
    public static readonly string[] Encoders = ["auto", "v4l2", "openh264", "none"];
    public static readonly string[] Profiles = ["baseline", "main", "high"];

    /// <summary>
    /// <c>auto</c> (the board's V4L2 mem-to-mem encoder, else OpenH264, else none), <c>v4l2</c>,
    /// <c>openh264</c> or <c>none</c> (JPEG only, and H.264 cameras passed through).
    /// </summary>
    public string Encoder { get; set; } = "auto";

    /// <summary>The V4L2 encoder's device node; empty: the first H.264 mem-to-mem encoder found.</summary>
    public string Device { get; set; } = "";

    /// <summary>Target bit rate, kbit/s.</summary>
    public int Bitrate { get; set; } = 2000;

    /// <summary>Seconds between key frames (the GOP), besides those new viewers ask for.</summary>
    public int KeyframeSeconds { get; set; } = 2;

    /// <summary><c>baseline</c> (plays everywhere), <c>main</c> or <c>high</c>, where the encoder has them.</summary>
    public string Profile { get; set; } = "baseline";

    public H264Settings Clone() => (H264Settings)MemberwiseClone();

    /// <summary>The first problem (naming the setting), or null.</summary>
    public string? Validate()
    {
        if (!Encoders.Contains(Encoder)) return $"H264:Encoder must be one of {string.Join(", ", Encoders)} (got '{Encoder}')";
        if (Device != "" && CameraSettings.DeviceProblem(Device) is { } device) return $"H264:{device}";
        if (Bitrate is < 64 or > 100_000) return $"H264:Bitrate must be between 64 and 100000 kbit/s (got {Bitrate})";
        if (KeyframeSeconds is < 1 or > 60) return $"H264:KeyframeSeconds must be between 1 and 60 (got {KeyframeSeconds})";
        if (!Profiles.Contains(Profile)) return $"H264:Profile must be one of {string.Join(", ", Profiles)} (got '{Profile}')";
        return null;
    }

    public bool SameAs(H264Settings other)
        => Encoder == other.Encoder && Device == other.Device && Bitrate == other.Bitrate && KeyframeSeconds == other.KeyframeSeconds
            && Profile == other.Profile;
}
