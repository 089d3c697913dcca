namespace Edge.Camera;

/// <summary>What a frame's bytes hold.</summary>
public enum PixelFormat
{
    /// <summary>A complete JPEG image.</summary>
    Jpeg,
    /// <summary>Planar YUV 4:2:2: Y plane, then U and V planes of half width, full height.</summary>
    I422,
    /// <summary>Planar YUV 4:2:0: Y plane, then U and V planes of half width, half height.</summary>
    I420,
    /// <summary>One H.264 access unit in Annex B form (start codes included).</summary>
    H264,
    /// <summary>A frame of vicodec's FWHT codec: only <c>edge codec-check</c> makes them, to test the V4L2 encoder path in a VM.</summary>
    Fwht,
    /// <summary>A fragmented-MP4 movie fragment (<c>moof</c> + <c>mdat</c>) holding one H.264 access unit.</summary>
    Mp4Fragment,
}

/// <summary>The formats a raw source delivers on the wire, before Edge converts them to planar YUV.</summary>
public enum RawFormat
{
    /// <summary>Packed 4:2:2, Y0 U Y1 V (V4L2 YUYV, ffmpeg yuyv422).</summary>
    Yuyv,
    /// <summary>Y plane then interleaved UV at half resolution (V4L2 NV12, ffmpeg nv12).</summary>
    Nv12,
    /// <summary>Planar 4:2:0 (V4L2 YU12, ffmpeg yuv420p).</summary>
    I420,
}

public static class PixelFormats
{
    /// <summary>Bytes of one frame of <paramref name="format"/> at the given size (even width and height).</summary>
    public static int FrameBytes(RawFormat format, int width, int height) => format switch
    {
        RawFormat.Yuyv => width * height * 2,
        _ => width * height * 3 / 2,
    };

    /// <summary>Bytes of a planar frame.</summary>
    public static int PlanarBytes(PixelFormat format, int width, int height) => format switch
    {
        PixelFormat.I422 => width * height * 2,
        PixelFormat.I420 => width * height * 3 / 2,
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "not a planar format"),
    };
}
