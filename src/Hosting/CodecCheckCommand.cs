using System.Diagnostics;
using System.Globalization;
using Edge.Camera;
using Edge.Camera.V4l2;
using Edge.Video;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Hosting;

/// <summary>
/// <c>edge codec-check</c>: tries the board's V4L2 mem-to-mem encoder the way the H.264 service uses it
/// (<see cref="V4l2Encoder"/>): test-pattern frames in, every coded frame back, the first a key frame,
/// and decoded again to compare with what went in (a V4L2 decoder node, e.g. vicodec's in the VM test
/// with FWHT; OpenH264 for H.264 when it is installed). Prints one JSON line; exit 0 when all held.
/// </summary>
public static class CodecCheckCommand
{
    public const string Usage = "usage: edge codec-check [--device PATH] [--coded h264|fwht] [--decoder PATH] [--frames 30] " +
        "[--size 640x480] [--fps 30] [--bitrate 2000]";

    // Luma PSNR every decoded picture must reach: a codec at its defaults gives 30-45 dB on the test pattern.
    private const double MinPsnr = 25;
    private const long MaxPictureBytes = 32 << 20;

    private sealed record Options(string? Device, uint Coded, string? Decoder, int Frames, int Width, int Height, int Fps, int Bitrate);

    public static async Task<int> Run(string[] args, TextWriter output, TextWriter error)
    {
        if (Parse(args, out string? problem) is not { } options)
        {
            error.WriteLine($"edge codec-check: {problem}");
            error.WriteLine(Usage);
            return 2;
        }
        try
        {
            string device = options.Device
                ?? (V4l2MemToMem.FindEncoders(V4l2Device.FindDevices(), options.Coded) is [var first, ..] ? first.Path : null)
                ?? throw new V4l2Exception($"no V4L2 mem-to-mem {V4l2Device.FourccText(options.Coded)} encoder was found");
            var pictures = await TestPictures(options);
            try
            {
                output.WriteLine(Check(device, options, pictures, out bool passed));
                return passed ? 0 : 1;
            }
            finally
            {
                foreach (var picture in pictures) picture.Release();
            }
        }
        catch (Exception e) when (e is V4l2Exception or H264EncoderException or DllNotFoundException or InvalidDataException)
        {
            error.WriteLine($"edge codec-check: {e.Message}");
            return 1;
        }
    }

    private static Options? Parse(string[] args, out string? problem)
    {
        string? device = null, decoder = null, size = "640x480", coded = "h264";
        int frames = 30, fps = 30, bitrate = 2000;
        problem = null;
        for (int i = 0; i < args.Length; i += 2)
        {
            string name = args[i];
            if (i + 1 >= args.Length)
            {
                problem = $"{name} needs a value";
                return null;
            }
            string value = args[i + 1];
            bool valid = true;
            switch (name)
            {
                case "--device": device = value; break;
                case "--decoder": decoder = value; break;
                case "--size": size = value; break;
                case "--coded": coded = value; valid = coded is "h264" or "fwht"; break;
                case "--frames": valid = int.TryParse(value, CultureInfo.InvariantCulture, out frames) && frames is >= 1 and <= 300; break;
                case "--fps": valid = int.TryParse(value, CultureInfo.InvariantCulture, out fps) && fps is >= 1 and <= 120; break;
                case "--bitrate":
                    valid = int.TryParse(value, CultureInfo.InvariantCulture, out bitrate) && bitrate is >= 64 and <= 100_000;
                    break;
                default:
                    problem = $"unknown option '{name}'";
                    return null;
            }
            if (!valid)
            {
                problem = $"bad value '{value}' for {name} (coded h264 or fwht, frames 1–300, fps 1–120, bitrate 64–100000)";
                return null;
            }
        }
        if (!FrameSizeArgument.TryParse(size, 4096, out int width, out int height, out problem)) return null;
        // Every picture is kept to compare with its decoded self: they must fit well under the binary's 64 MB heap.
        if ((long)frames * PixelFormats.PlanarBytes(PixelFormat.I420, width, height) > MaxPictureBytes)
        {
            problem = $"{frames} pictures of {width}x{height} are more than {MaxPictureBytes >> 20} MB: fewer --frames or a smaller --size";
            return null;
        }
        uint fourcc = coded == "fwht" ? V4l2Codecs.Fwht : V4l2Codecs.H264;
        return new Options(device, fourcc, decoder, frames, width, height, fps, bitrate);
    }

    // The camera of a fresh install, drawn as fast as it goes: consecutive pictures differ (the box moves).
    private static async Task<List<Frame>> TestPictures(Options options)
    {
        var capture = new CaptureOutput(TimeProvider.System, NullLogger.Instance) { Demand = true };
        using var stop = new CancellationTokenSource();
        var source = new TestPatternSource(options.Width, options.Height, fps: 1000, PixelFormat.I420);
        var drawing = Task.Run(() =>
        {
            // A failure ends the frames with it, so the wait below throws instead of waiting for ever.
            try { source.Run(capture, stop.Token); }
            catch (Exception e) { capture.Complete(e); }
        });
        var pictures = new List<Frame>();
        try
        {
            while (pictures.Count < options.Frames)
            {
                if (!await capture.Reader.WaitToReadAsync()) throw new InvalidDataException("the test pattern stopped drawing");
                while (pictures.Count < options.Frames && capture.Reader.TryRead(out var picture)) pictures.Add(picture);
            }
        }
        catch
        {
            foreach (var picture in pictures) picture.Release();
            throw;
        }
        finally
        {
            stop.Cancel();
            await drawing;
            while (capture.Reader.TryRead(out var left)) left.Release();
        }
        return pictures;
    }

    private static string Check(string device, Options options, List<Frame> pictures, out bool passed)
    {
        var coded = new List<Frame>();
        try
        {
            var watch = Stopwatch.StartNew();
            string name;
            using (var encoder = new V4l2Encoder(device, options.Coded, H264EncoderOptions.For(options.Width, options.Height, options.Fps,
                new H264Settings { Bitrate = options.Bitrate, KeyframeSeconds = 1 })))
            {
                name = encoder.Name;
                for (int i = 0; i < pictures.Count; i++)
                    if (encoder.Encode(pictures[i], keyFrame: i == 0) is { } frame) coded.Add(frame);
                coded.AddRange(encoder.Finish());
            }
            double seconds = watch.Elapsed.TotalSeconds;
            bool allBack = coded.Count == pictures.Count;
            for (int i = 0; allBack && i < coded.Count; i++) allBack = coded[i].Sequence == pictures[i].Sequence;
            int keyFrames = 0;
            long bytes = 0;
            foreach (var frame in coded)
            {
                keyFrames += frame.IsKeyFrame ? 1 : 0;
                bytes += frame.Length;
            }
            var (decoder, psnr, decoded) = Decode(options, pictures, coded);
            bool held = allBack && coded.Count > 0 && coded[0].IsKeyFrame
                && (decoder == null || (decoded == pictures.Count && psnr >= MinPsnr));
            passed = held;
            return JsonLine.Of(w =>
            {
                w.WriteString("encoder", name);
                w.WriteString("coded", V4l2Device.FourccText(options.Coded));
                w.WriteNumber("frames", pictures.Count);
                w.WriteNumber("encoded", coded.Count);
                w.WriteBoolean("in_order", allBack);
                w.WriteNumber("key_frames", keyFrames);
                w.WriteBoolean("first_is_key", coded.Count > 0 && coded[0].IsKeyFrame);
                w.WriteNumber("bytes", bytes);
                w.WriteNumber("fps", Math.Round(pictures.Count / seconds, 1));
                if (decoder != null) w.WriteString("decoder", decoder);
                w.WriteNumber("decoded", decoded);
                if (decoded > 0) w.WriteNumber("psnr_db_min", Math.Round(psnr, 1));
                w.WriteBoolean("passed", held);
            });
        }
        finally
        {
            foreach (var frame in coded) frame.Release();
        }
    }

    // Decodes the coded frames and compares each picture's luma with the one that went in: the lowest PSNR.
    private static (string? Decoder, double Psnr, int Decoded) Decode(Options options, List<Frame> pictures, List<Frame> coded)
    {
        var results = new List<Frame>();
        string? decoder = null;
        try
        {
            if (options.Decoder != null)
            {
                using var node = new V4l2Decoder(options.Decoder, options.Coded, options.Width, options.Height);
                decoder = $"V4L2 {options.Decoder} ({node.Card})";
                foreach (var frame in coded) node.Decode(frame);
                results.AddRange(node.Finish());
                // The decoder keeps its pictures until it is disposed: take references of our own.
                for (int i = 0; i < results.Count; i++) results[i] = results[i].AddRef();
            }
            else if (options.Coded == V4l2Codecs.H264 && Native.OpenH264.Version is { } version)
            {
                decoder = version;
                using var software = new H264Decoder();
                foreach (var frame in coded)
                    if (software.Decode(frame) is { } picture) results.Add(picture);
            }
            double lowest = double.PositiveInfinity;
            foreach (var result in results)
            {
                int luma = result.Width * result.Height;
                foreach (var original in pictures)
                    if (original.Sequence == result.Sequence) lowest = Math.Min(lowest, Psnr(original.Data[..luma], result.Data[..luma]));
            }
            return (decoder, results.Count > 0 ? lowest : 0, results.Count);
        }
        finally
        {
            foreach (var result in results) result.Release();
        }
    }

    private static double Psnr(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++)
        {
            int d = a[i] - b[i];
            sum += d * d;
        }
        double mse = sum / a.Length;
        return mse == 0 ? 99 : 10 * Math.Log10(255.0 * 255.0 / mse);
    }
}
