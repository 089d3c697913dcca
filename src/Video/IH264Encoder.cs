using Edge.Camera;

namespace Edge.Video;

/// <summary>What an encoder is asked to make: the picture size and rate, and the H.264 settings.</summary>
public sealed record H264EncoderOptions(int Width, int Height, int Fps, int BitrateKbps, int KeyframeInterval, string Profile)
{
    public static H264EncoderOptions For(int width, int height, int fps, H264Settings settings)
        => new(width, height, fps, settings.Bitrate, Math.Max(1, fps * settings.KeyframeSeconds), settings.Profile);
}

/// <summary>
/// One H.264 encoder for one stream: planar YUV in, Annex B access units out (key frames carry SPS
/// and PPS). Used by one worker at a time, one frame after another; blocking calls.
/// </summary>
public interface IH264Encoder : IDisposable
{
    /// <summary>What it is, for state and logs ("OpenH264 2.3.1", "V4L2 /dev/video11 (bcm2835-codec)").</summary>
    string Name { get; }

    /// <summary>
    /// Encodes <paramref name="raw"/> (I420 or I422 of the size it was made for), as a key frame when
    /// <paramref name="keyFrame"/>; the access unit keeps the raw frame's number and time. Null when the
    /// encoder had nothing to give for it (rate control skipped it, or a hardware pipeline is filling).
    /// </summary>
    Frame? Encode(Frame raw, bool keyFrame);
}
