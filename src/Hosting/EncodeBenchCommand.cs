using System.Diagnostics;
using System.Globalization;
using Edge.Camera;
using Edge.Runtime;
using Edge.Video;

namespace Edge.Hosting;

/// <summary>
/// <c>edge bench-encode</c>: the encode rate of the real pipeline (planar frames as capture makes them,
/// <see cref="JpegEncoder"/> or <see cref="OpenH264Encoder"/> on the <see cref="WorkerPool"/>), for
/// test/bench/camera.sh and h264.sh to compare with the library called in a tight loop
/// (test/bench/encode-anchor.c, h264-anchor.c). Prints one JSON line.
/// </summary>
public static class EncodeBenchCommand
{
    public const string Usage = "usage: edge bench-encode --input FILE --size WIDTHxHEIGHT [--workers N] [--seconds S] [--quality 80]\n" +
        "       [--codec jpeg|h264] [--bitrate 2000] [--fps 30]  (h264: one worker; key frames every 2 s, baseline)";

    private sealed record Options(string Input, int Width, int Height, int Workers, double Seconds, int Quality, string Codec, int Bitrate,
        int Fps);

    public static async Task<int> Run(string[] args, TextWriter output, TextWriter error)
    {
        if (Parse(args, out string? problem) is not { } options)
        {
            error.WriteLine($"edge bench-encode: {problem}");
            error.WriteLine(Usage);
            return 2;
        }
        Frame[] frames;
        try { frames = Load(options); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            error.WriteLine($"edge bench-encode: {options.Input}: {e.Message}");
            return 2;
        }
        try
        {
            var (count, bytes, elapsed) = await Measure(frames, options);
            output.WriteLine(Json(options.Workers, count, elapsed.TotalSeconds, bytes));
            return 0;
        }
        catch (Exception e) when (e is DllNotFoundException or H264EncoderException)
        {
            error.WriteLine($"edge bench-encode: {e.Message}");
            return 1;
        }
        finally
        {
            foreach (var frame in frames) frame.Release();
        }
    }

    private static Options? Parse(string[] args, out string? problem)
    {
        string? input = null, size = null;
        string codec = "jpeg";
        int workers = 1, quality = 80, bitrate = 2000, fps = 30;
        double seconds = 5;
        problem = null;
        for (int i = 0; i < args.Length; i += 2)
        {
            string name = args[i];
            if (name is not ("--input" or "--size" or "--workers" or "--seconds" or "--quality" or "--codec" or "--bitrate" or "--fps"))
            {
                problem = $"unknown option '{name}'";
                return null;
            }
            if (i + 1 >= args.Length)
            {
                problem = $"{name} needs a value";
                return null;
            }
            string value = args[i + 1];
            bool valid = true;
            switch (name)
            {
                case "--input": input = value; break;
                case "--size": size = value; break;
                case "--workers":
                    valid = int.TryParse(value, CultureInfo.InvariantCulture, out workers) && workers is >= 1 and <= 256;
                    break;
                case "--seconds":
                    valid = double.TryParse(value, CultureInfo.InvariantCulture, out seconds) && seconds is > 0 and <= 3600;
                    break;
                case "--codec":
                    codec = value;
                    valid = codec is "jpeg" or "h264";
                    break;
                case "--bitrate":
                    valid = int.TryParse(value, CultureInfo.InvariantCulture, out bitrate) && bitrate is >= 64 and <= 100_000;
                    break;
                case "--fps": valid = int.TryParse(value, CultureInfo.InvariantCulture, out fps) && fps is >= 1 and <= 120; break;
                default: valid = int.TryParse(value, CultureInfo.InvariantCulture, out quality) && quality is >= 1 and <= 100; break;
            }
            if (!valid)
            {
                problem = $"bad value '{value}' for {name} (workers 1–256, seconds above 0 and up to 3600, quality 1–100, " +
                    "codec jpeg or h264, bitrate 64–100000, fps 1–120)";
                return null;
            }
        }
        if (codec == "h264" && workers != 1)
        {
            problem = "an H.264 stream is encoded one frame after another: --workers 1";
            return null;
        }
        if (string.IsNullOrEmpty(input) || size == null)
        {
            problem = "--input and --size are required";
            return null;
        }
        if (!FrameSizeArgument.TryParse(size, 8192, out int width, out int height, out problem)) return null;
        return new Options(input, width, height, workers, seconds, quality, codec, bitrate, fps);
    }

    // The first frames of the file at most: 16 at 1080p are 50 MB of planar frames, under the binary's
    // 64 MB heap limit (camera.sh's 60 frames at 720p were over it), and enough variety for a rate.
    private const int MaxFrames = 16;

    // Converted once, as the capture thread would: the measured work is the encode alone.
    private static Frame[] Load(Options options)
    {
        int rawBytes = PixelFormats.FrameBytes(RawFormat.Yuyv, options.Width, options.Height);
        int planarBytes = PixelFormats.PlanarBytes(PixelFormat.I420, options.Width, options.Height);
        using var file = File.OpenRead(options.Input);
        if (file.Length == 0 || file.Length % rawBytes != 0)
            throw new InvalidDataException($"{file.Length} bytes is not a whole number of {options.Width}×{options.Height} YUYV frames " +
                $"({rawBytes} bytes each)");
        var frames = new Frame[Math.Min(file.Length / rawBytes, MaxFrames)];
        var staging = new byte[rawBytes];
        for (int i = 0; i < frames.Length; i++)
        {
            file.ReadExactly(staging);
            frames[i] = Frame.Rent(planarBytes, PixelFormat.I420, options.Width, options.Height, i, Stopwatch.GetTimestamp());
            YuvConvert.YuyvToPlanar(staging, options.Width, options.Height, options.Width * 2, PixelFormat.I420, frames[i].Buffer);
        }
        return frames;
    }

    // Keeps every worker busy with one item queued behind it (2N in flight), awaiting the oldest.
    private static async Task<(long Count, long Bytes, TimeSpan Elapsed)> Measure(Frame[] frames, Options options)
    {
        using var pool = new WorkerPool(options.Workers, 2 * options.Workers);
        // H.264: one encoder, used by the one worker only (as H264Service uses it), made before the clock starts.
        using var h264 = options.Codec == "h264"
            ? await pool.Submit(_ => (IH264Encoder)new OpenH264Encoder(new H264EncoderOptions(options.Width, options.Height, options.Fps,
                options.Bitrate, 2 * options.Fps, "baseline")), PoolFullMode.Wait)
            : null;
        var inFlight = new Queue<Task<int>>();
        long count = 0, bytes = 0, next = 0;
        var duration = TimeSpan.FromSeconds(options.Seconds);
        long start = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(start) < duration)
        {
            if (inFlight.Count == 2 * options.Workers)
            {
                bytes += await inFlight.Dequeue();
                count++;
            }
            var raw = frames[next++ % frames.Length];
            inFlight.Enqueue(pool.Submit(_ =>
            {
                var encoded = h264 != null ? h264.Encode(raw, keyFrame: false) : JpegEncoder.ForThisThread.Encode(raw, options.Quality);
                int length = encoded?.Length ?? 0;
                encoded?.Release();
                return length;
            }, PoolFullMode.Wait));
        }
        while (inFlight.TryDequeue(out var last))
        {
            bytes += await last;
            count++;
        }
        return (count, bytes, Stopwatch.GetElapsedTime(start));
    }

    private static string Json(int workers, long frames, double seconds, long bytes) => JsonLine.Of(json =>
    {
        json.WriteNumber("workers", workers);
        json.WriteNumber("frames", frames);
        json.WriteNumber("seconds", Math.Round(seconds, 3));
        json.WriteNumber("fps", Math.Round(frames / seconds, 2));
        json.WriteNumber("bytes_per_frame", frames > 0 ? bytes / frames : 0);
    });
}
