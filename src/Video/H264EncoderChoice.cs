using Edge.Camera.V4l2;
using Edge.Native;

namespace Edge.Video;

/// <summary>
/// Which encoder <c>H264:Encoder</c> comes to on this board: <see cref="Kind"/> is <c>v4l2</c>,
/// <c>openh264</c> or <c>none</c>; <see cref="Problem"/> says why the one asked for (or, for
/// <c>auto</c>, every one) cannot be used.
/// </summary>
public sealed class H264EncoderChoice(string kind, string? device, string name, string? problem)
{
    public static readonly H264EncoderChoice None = NoneBecause(null);

    public string Kind { get; } = kind;
    public string? Device { get; } = device;
    public string Name { get; } = name;
    public string? Problem { get; } = problem;

    private static H264EncoderChoice NoneBecause(string? problem) => new("none", null, "none", problem);

    public bool CanEncode => Kind != "none";

    /// <summary>
    /// Looks for the encoders the settings allow, without loading a library (that waits for the first
    /// H.264 viewer); reads directories and device nodes, quickly, but not for the loop.
    /// </summary>
    public static H264EncoderChoice Resolve(Edge.Camera.H264Settings settings)
    {
        if (settings.Encoder == "none") return None;
        H264EncoderChoice? hardware = null;
        string v4l2Problem = "";
        if (settings.Encoder is "auto" or "v4l2")
        {
            // A device named in the settings must be one; otherwise the first the board has (the Pi's is /dev/video11).
            var nodes = settings.Device != "" ? [settings.Device] : V4l2Device.FindDevices();
            var found = V4l2MemToMem.FindEncoders(nodes, V4l2Codecs.H264);
            if (found.Count > 0) hardware = new("v4l2", found[0].Path, $"V4L2 {found[0].Path} ({found[0].Name})", null);
            v4l2Problem = settings.Device != ""
                ? $"{settings.Device} is not a V4L2 mem-to-mem H.264 encoder"
                : "no V4L2 mem-to-mem H.264 encoder was found";
        }
        if (settings.Encoder == "v4l2") return hardware ?? NoneBecause(v4l2Problem);
        if (hardware != null) return hardware;
        string? openH264 = OpenH264.ProblemWithoutLoading();
        var software = new H264EncoderChoice("openh264", null, OpenH264.LoadedVersion ?? "OpenH264", null);
        if (settings.Encoder == "openh264") return openH264 == null ? software : NoneBecause(openH264);
        return openH264 == null ? software : NoneBecause($"{v4l2Problem}, and {openH264}");
    }

    /// <summary>A new encoder of this kind for <paramref name="options"/> (blocking, for the pool).</summary>
    public IH264Encoder Open(H264EncoderOptions options) => Kind switch
    {
        "openh264" => new OpenH264Encoder(options),
        "v4l2" => new V4l2Encoder(Device!, V4l2Codecs.H264, options),
        _ => throw new H264EncoderException(Problem ?? "no H.264 encoder"),
    };
}
