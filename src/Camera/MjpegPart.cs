using System.Buffers;
using System.Text.Unicode;

namespace Edge.Camera;

/// <summary>
/// The framing of <c>multipart/x-mixed-replace</c> MJPEG (what browsers, ffmpeg's mpjpeg demuxer,
/// VLC and NVRs read): a boundary line and headers with a Content-Length before each JPEG.
/// </summary>
public static class MjpegPart
{
    public const string Boundary = "edgeframe";

    public const string ContentType = "multipart/x-mixed-replace;boundary=" + Boundary;

    /// <summary>Writes one part (the JPEG's bytes are written by reference from the frame's buffer into the writer).</summary>
    public static void Write(IBufferWriter<byte> writer, Frame jpeg, DateTimeOffset capturedAt)
    {
        Span<byte> header = stackalloc byte[160];
        Utf8.TryWrite(header, $"--{Boundary}\r\nContent-Type: image/jpeg\r\nContent-Length: {jpeg.Length}\r\n" +
            $"X-Timestamp: {capturedAt.ToUnixTimeMilliseconds() / 1000.0:0.000}\r\n\r\n", out int length);
        writer.Write(header[..length]);
        writer.Write(jpeg.Data);
        writer.Write("\r\n"u8);
    }
}
