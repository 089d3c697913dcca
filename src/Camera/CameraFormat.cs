namespace Edge.Camera;

/// <summary>What a pipe or V4L2 camera delivers (the setting <c>Format</c>).</summary>
public enum CameraFormat { Mjpeg, Yuyv, Nv12, I420, H264 }

/// <summary>The formats' names in settings, messages and <c>camera.list</c>: one list.</summary>
public static class CameraFormats
{
    public static readonly string[] Names = ["mjpeg", "yuyv", "nv12", "i420", "h264"];

    public static CameraFormat? Parse(string name) => Array.IndexOf(Names, name) is >= 0 and var at ? (CameraFormat)at : null;

    public static string Name(this CameraFormat format) => Names[(int)format];

    /// <summary>Frames that come compressed (no size of Edge's choosing, no raw conversion).</summary>
    public static bool IsCompressed(this CameraFormat format) => format is CameraFormat.Mjpeg or CameraFormat.H264;
}
