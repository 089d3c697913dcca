using System.Diagnostics;
using Edge.Runtime;
using Microsoft.Extensions.Logging;

namespace Edge.Camera;

/// <summary>What a pipe source's command writes to its standard output.</summary>
/// <summary>
/// A camera that is a process (rpicam-vid, ffmpeg, libcamera-vid): runs the command through
/// <c>/bin/sh -c</c> and cuts its standard output into frames — concatenated JPEGs, raw frames of
/// the configured size, or H.264 access units. Its standard error goes to the log, rate-limited.
/// The process ending is a camera failure: the supervisor starts it again after a back-off.
/// </summary>
public sealed partial class PipeSource(string command, CameraFormat format, int width, int height, PixelFormat layout,
    ILogger logger) : IFrameSource
{
    /// <summary>The largest JPEG or H.264 access unit accepted from a pipe.</summary>
    public const int MaxCompressedFrameBytes = 16 << 20;

    public string Description => $"pipe '{command}' ({format.Name()}{(format.IsCompressed() ? "" : $" {width}x{height}")})";

    public void Run(CaptureOutput output, CancellationToken cancellationToken)
    {
        using var process = new Process
        {
            StartInfo = new ProcessStartInfo("/bin/sh", ["-c", command])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
                UseShellExecute = false,
            },
        };
        var stderr = new RateLimitedLog(logger, output.Time, perMinute: 20);
        process.ErrorDataReceived += (_, e) =>
        {
            if (!string.IsNullOrWhiteSpace(e.Data) && stderr.Admit()) Log.CommandSaid(logger, e.Data);
        };
        if (!process.Start()) throw new CameraException($"could not start '{command}'");
        process.StandardInput.Close(); // the command reads nothing; ffmpeg would otherwise take keys from it
        process.BeginErrorReadLine();
        using var stop = cancellationToken.Register(() => Kill(process));
        try
        {
            var stdout = process.StandardOutput.BaseStream;
            switch (format)
            {
                case CameraFormat.Mjpeg: ReadJpegs(stdout, output); break;
                case CameraFormat.H264: ReadAccessUnits(stdout, output); break;
                default: ReadRawFrames(stdout, output, cancellationToken); break;
            }
        }
        finally
        {
            Kill(process);
        }
        if (cancellationToken.IsCancellationRequested) return;
        process.WaitForExit(1000);
        throw new CameraException(process.HasExited
            ? $"the camera command exited with code {process.ExitCode}"
            : "the camera command closed its output");
    }

    private static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception) { }
    }

    private static void ReadJpegs(Stream stdout, CaptureOutput output)
    {
        var splitter = new JpegSplitter(MaxCompressedFrameBytes);
        while (true)
        {
            int read = stdout.Read(splitter.GetWriteBuffer().Span);
            if (read == 0) return;
            splitter.Advance(read, (image, w, h) =>
            {
                var frame = Frame.Rent(image.Length, PixelFormat.Jpeg, w, h, output.NextSequence(), output.Time.GetTimestamp());
                image.CopyTo(frame.Buffer);
                output.Write(frame);
            }, output.Reject);
        }
    }

    private static void ReadAccessUnits(Stream stdout, CaptureOutput output)
    {
        var splitter = new H264Splitter(MaxCompressedFrameBytes);
        void Unit(ReadOnlySpan<byte> unit, bool key)
        {
            var frame = Frame.Rent(unit.Length, PixelFormat.H264, 0, 0, output.NextSequence(), output.Time.GetTimestamp(), key);
            unit.CopyTo(frame.Buffer);
            output.Write(frame);
        }
        while (true)
        {
            int read = stdout.Read(splitter.GetWriteBuffer().Span);
            if (read == 0)
            {
                splitter.Flush(Unit);
                return;
            }
            splitter.Advance(read, Unit, output.Reject);
        }
    }

    private void ReadRawFrames(Stream stdout, CaptureOutput output, CancellationToken cancellationToken)
    {
        var raw = format switch { CameraFormat.Yuyv => RawFormat.Yuyv, CameraFormat.Nv12 => RawFormat.Nv12, _ => RawFormat.I420 };
        var staging = new byte[PixelFormats.FrameBytes(raw, width, height)];
        var planar = raw == RawFormat.Yuyv ? layout : PixelFormat.I420;
        int planarBytes = PixelFormats.PlanarBytes(planar, width, height);
        while (true)
        {
            int filled = stdout.ReadAtLeast(staging, staging.Length, throwOnEndOfStream: false);
            if (filled < staging.Length)
            {
                // A frame cut by Edge stopping the command (shutdown, new settings) is no fault of the camera's.
                if (filled > 0 && !cancellationToken.IsCancellationRequested)
                    output.Reject($"the stream ended inside a frame ({filled} of {staging.Length} bytes)");
                return;
            }
            var frame = Frame.Rent(planarBytes, planar, width, height, output.NextSequence(), output.Time.GetTimestamp());
            switch (raw)
            {
                case RawFormat.Yuyv: YuvConvert.YuyvToPlanar(staging, width, height, width * 2, planar, frame.Buffer); break;
                case RawFormat.Nv12: YuvConvert.Nv12ToI420(staging, width, height, width, frame.Buffer); break;
                default: YuvConvert.CopyI420(staging, width, height, width, frame.Buffer); break;
            }
            output.Write(frame);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Camera command: {Line}")]
        public static partial void CommandSaid(ILogger logger, string line);
    }
}
