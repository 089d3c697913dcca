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

    /// <summary>Looks for the encoders the settings allow (opens a library and device nodes: blocking, for the pool).</summary>
    public static H264EncoderChoice Resolve(Edge.Camera.H264Settings settings)
    {
        switch (settings.Encoder)
        {
            case "none":
                return None;
            case "openh264":
                return OpenH264.Version is { } version ? new("openh264", null, version, null) : None with { Problem = OpenH264.Problem };
            case "v4l2":
                return None with { Problem = V4l2Problem };
            default:
                if (OpenH264.Version is { } found) return new("openh264", null, found, null);
                return None with { Problem = $"no V4L2 mem-to-mem H.264 encoder, and {OpenH264.Problem}" };
        }
    }

    private const string V4l2Problem = "no V4L2 mem-to-mem H.264 encoder was found";

    /// <summary>A new encoder of this kind for <paramref name="options"/> (blocking, for the pool).</summary>
    public IH264Encoder Open(H264EncoderOptions options) => Kind switch
    {
        "openh264" => new OpenH264Encoder(options),
        _ => throw new H264EncoderException(Problem ?? "no H.264 encoder"),
    };
}
