using Edge.Camera.V4l2;
using Microsoft.Extensions.Logging;

namespace Edge.Camera;

/// <summary>
/// A V4L2 camera (USB UVC, the Pi's unicam/ISP nodes, vivid): negotiates the format, size and rate,
/// streams through mmap'd buffers and copies each frame out once — MJPEG as it is (checked, broken
/// ones skipped), YUYV/NV12/I420 converted to planar YUV on the way. A device that disappears or stops
/// delivering fails the source, and the supervisor opens it again after a back-off. Nobody wanting
/// frames for <see cref="IdleAfter"/> stops streaming and closes the device, which frees its buffers
/// and the CPU; the next demand opens it again (a first frame then takes the camera's start-up time).
/// </summary>
public sealed partial class V4l2Source(string device, CameraFormat format, int width, int height, int fps, PixelFormat layout,
    ILogger logger) : IFrameSource
{
    private const int Buffers = 4;
    private static readonly TimeSpan NoFrameLimit = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan IdleAfter = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(1);

    public string Description => $"V4L2 {device} ({format.Name()} {width}x{height} at {fps} fps)";

    public void Run(CaptureOutput output, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Stream(output, cancellationToken);
            WaitForDemand(output, cancellationToken);
        }
    }

    // Streams until cancelled, or until nobody has wanted frames for IdleAfter; frames nobody wants
    // go back to the driver unread.
    private void Stream(CaptureOutput output, CancellationToken cancellationToken)
    {
        using var camera = OpenConfigured(out int actualWidth, out int actualHeight, out int stride);
        camera.StartStreaming(Buffers);
        var time = output.Time;
        long lastFrame = time.GetTimestamp(), lastWanted = lastFrame;
        while (!cancellationToken.IsCancellationRequested)
        {
            if (output.Demand) lastWanted = time.GetTimestamp();
            else if (time.GetElapsedTime(lastWanted) > IdleAfter) return;
            // A short poll keeps cancellation prompt; the limit below catches a device that went silent.
            if (!camera.TryDequeue(200, out var buffer))
            {
                if (time.GetElapsedTime(lastFrame) > NoFrameLimit)
                    throw new CameraException($"{device} delivered no frame for {NoFrameLimit.TotalSeconds:0} s");
                continue;
            }
            lastFrame = time.GetTimestamp();
            try
            {
                if (buffer.HasError) output.Reject($"{device} marked frame {buffer.Sequence} as damaged");
                else if (buffer.BytesUsed == 0) output.Reject($"{device} delivered an empty frame");
                else if (output.Demand) Deliver(buffer.Data, actualWidth, actualHeight, stride, output);
                else output.Heartbeat();
            }
            finally
            {
                camera.Requeue(buffer.Index);
            }
        }
    }

    // The device is closed: a heartbeat a second while it is still there, until someone wants frames.
    private void WaitForDemand(CaptureOutput output, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested && !output.Demand)
        {
            if (!File.Exists(device)) throw new CameraException($"{device} disappeared");
            output.Heartbeat();
            output.WaitForDemand(Heartbeat, cancellationToken);
        }
    }

    private V4l2Device OpenConfigured(out int actualWidth, out int actualHeight, out int stride)
    {
        V4l2Device? camera = null;
        try
        {
            try { camera = V4l2Device.Open(device); }
            catch (V4l2Exception e) { throw new CameraException(e.Message, e); }
            if (!camera.CanCapture) throw new CameraException($"{device} ({camera.Card}) is not a streaming video capture device");
            uint wanted = format switch
            {
                CameraFormat.Mjpeg => V4l2Ioctl.V4L2_PIX_FMT_MJPEG,
                CameraFormat.Yuyv => V4l2Ioctl.V4L2_PIX_FMT_YUYV,
                CameraFormat.Nv12 => V4l2Ioctl.V4L2_PIX_FMT_NV12,
                CameraFormat.I420 => V4l2Ioctl.V4L2_PIX_FMT_YUV420,
                _ => V4l2Ioctl.V4L2_PIX_FMT_H264,
            };
            var chosen = camera.SetFormat(wanted, width, height);
            // Some cameras call their MJPEG "JPEG"; the frames are the same.
            if (chosen.Fourcc != wanted
                && !(wanted == V4l2Ioctl.V4L2_PIX_FMT_MJPEG && chosen.Fourcc == V4l2Ioctl.V4L2_PIX_FMT_JPEG
                    && camera.SetFormat(chosen.Fourcc, width, height).Fourcc == chosen.Fourcc))
            {
                string offered = string.Join(", ", camera.EnumerateFormats().Select(f => V4l2Device.FourccText(f.Fourcc)));
                throw new CameraException($"{device} ({camera.Card}) does not deliver {format.Name()}; it offers {offered}");
            }
            if (chosen.Width != width || chosen.Height != height)
                Log.OtherSize(logger, device, chosen.Width, chosen.Height, width, height);
            double rate = camera.SetFrameRate(fps);
            if (rate > 0 && Math.Abs(rate - fps) > 0.5)
                Log.OtherRate(logger, device, rate, fps);
            actualWidth = chosen.Width;
            actualHeight = chosen.Height;
            stride = chosen.BytesPerLine;
            if (!format.IsCompressed() && ((actualWidth & 1) != 0 || (actualHeight & 1) != 0))
                throw new CameraException($"{device} chose an odd size {actualWidth}x{actualHeight}, which raw YUV cannot have");
            return camera;
        }
        catch
        {
            camera?.Dispose();
            throw;
        }
    }

    private void Deliver(ReadOnlySpan<byte> data, int frameWidth, int frameHeight, int stride, CaptureOutput output)
    {
        long timestamp = output.Time.GetTimestamp();
        Frame frame;
        switch (format)
        {
            case CameraFormat.Mjpeg:
                if (JpegScanner.Check(data, out var jpeg) != JpegScan.Complete)
                {
                    output.Reject($"{device} delivered a broken JPEG ({jpeg.Problem})");
                    return;
                }
                frame = Frame.Rent(jpeg.End, PixelFormat.Jpeg, jpeg.Width, jpeg.Height, output.NextSequence(), timestamp);
                data[..jpeg.End].CopyTo(frame.Buffer);
                break;
            case CameraFormat.H264:
                frame = Frame.Rent(data.Length, PixelFormat.H264, frameWidth, frameHeight, output.NextSequence(), timestamp,
                    ContainsIdr(data));
                data.CopyTo(frame.Buffer);
                break;
            default:
                var planar = format == CameraFormat.Yuyv ? layout : PixelFormat.I420;
                frame = Frame.Rent(PixelFormats.PlanarBytes(planar, frameWidth, frameHeight), planar, frameWidth, frameHeight,
                    output.NextSequence(), timestamp);
                try
                {
                    if (format == CameraFormat.Yuyv) YuvConvert.YuyvToPlanar(data, frameWidth, frameHeight, stride, planar, frame.Buffer);
                    else if (format == CameraFormat.Nv12) YuvConvert.Nv12ToI420(data, frameWidth, frameHeight, stride, frame.Buffer);
                    else YuvConvert.CopyI420(data, frameWidth, frameHeight, stride, frame.Buffer);
                }
                catch (ArgumentException e)
                {
                    frame.Release();
                    output.Reject($"{device} delivered a short frame ({e.Message})");
                    return;
                }
                break;
        }
        output.Write(frame);
    }

    // An IDR slice (NAL type 5) after any start code.
    private static bool ContainsIdr(ReadOnlySpan<byte> unit)
    {
        for (int i = 0; i + 3 < unit.Length; i++)
            if (unit[i] == 0 && unit[i + 1] == 0 && unit[i + 2] == 1 && (unit[i + 3] & 0x1F) == 5) return true;
        return false;
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning,
            Message = "Camera {Device} delivers {Width}x{Height} instead of the {WantedWidth}x{WantedHeight} asked for")]
        public static partial void OtherSize(ILogger logger, string device, int width, int height, int wantedWidth, int wantedHeight);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Camera {Device} runs at {Actual:0.#} fps instead of the {Wanted} asked for")]
        public static partial void OtherRate(ILogger logger, string device, double actual, int wanted);
    }
}
