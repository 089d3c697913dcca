using Edge.Native;

namespace Edge.Video;

/// <summary>
/// Which encoder <c>H264:Encoder</c> comes to on this board: <see cref="Kind"/> is <c>v4l2</c>,
/// <c>openh264</c> or <c>none</c>; <see cref="Problem"/> says why the one asked for (or, for
/// <c>auto</c>, every one) cannot be used.
/// </summary>
public sealed record H264EncoderChoice(string Kind, string? Device, string Name, string? Problem)
{
    public static readonly H264EncoderChoice None = new("none", null, "none", null);

    public bool CanEncode => Kind != "none";

    /// <summary>
    /// Looks for the encoders the settings allow, without loading a library (that waits for the first
    /// H.264 viewer); reads directories and device nodes, quickly, but not for the loop.
    /// </summary>
    public static H264EncoderChoice Resolve(Edge.Camera.H264Settings settings)
    {
        string? openH264 = OpenH264.ProblemWithoutLoading();
        var software = new H264EncoderChoice("openh264", null, OpenH264.LoadedVersion ?? "OpenH264", null);
        return settings.Encoder switch
        {
            "none" => None,
            "openh264" => openH264 == null ? software : None with { Problem = openH264 },
            "v4l2" => None with { Problem = V4l2Problem },
            _ => openH264 == null ? software : None with { Problem = $"no V4L2 mem-to-mem H.264 encoder, and {openH264}" },
        };
    }

    private const string V4l2Problem = "no V4L2 mem-to-mem H.264 encoder was found";

    /// <summary>A new encoder of this kind for <paramref name="options"/> (blocking, for the pool).</summary>
    public IH264Encoder Open(H264EncoderOptions options) => Kind switch
    {
        "openh264" => new OpenH264Encoder(options),
        _ => throw new H264EncoderException(Problem ?? "no H.264 encoder"),
    };
}
