using Edge.Camera;
using Edge.Tests.Support;

namespace Edge.Tests.Camera;

[TestClass]
public sealed class JpegTests
{
    [TestMethod]
    [DataRow(PixelFormat.I420, "yuvj420p")]
    [DataRow(PixelFormat.I422, "yuvj422p")]
    public async Task FfprobeReadsWhatTheEncoderWritesFromPlanarYuv(PixelFormat layout, string pixelFormat)
    {
        using var jpeg = Encode(layout, 320, 240, sequence: 7);
        Assert.AreEqual(7, jpeg.Frame.Sequence);
        string file = Path.GetTempFileName();
        try
        {
            await File.WriteAllBytesAsync(file, jpeg.Frame.Data.ToArray());
            var probe = await Tools.Run("ffprobe",
                ["-v", "error", "-show_entries", "stream=codec_name,width,height,pix_fmt", "-of", "csv=p=0", file]);
            Assert.AreEqual(0, probe.ExitCode, probe.Error);
            Assert.AreEqual($"mjpeg,320,240,{pixelFormat}", probe.Output.Trim());
        }
        finally
        {
            File.Delete(file);
        }
    }

    [TestMethod]
    public void TheSplitterFindsEveryImageWhateverTheReadSizes()
    {
        using var a = Encode(PixelFormat.I420, 64, 48, 1);
        using var b = Encode(PixelFormat.I420, 96, 64, 2);
        byte[] stream = [.. a.Frame.Data, .. b.Frame.Data, .. a.Frame.Data];
        foreach (int chunk in new[] { 1, 7, 4096, stream.Length })
        {
            var (frames, problems) = Split(stream, chunk);
            Assert.AreEqual(0, problems.Count, string.Join("; ", problems));
            CollectionAssert.AreEqual(new[] { (64, 48), (96, 64), (64, 48) }, frames.Select(f => (f.Width, f.Height)).ToArray(),
                $"chunk {chunk}");
            CollectionAssert.AreEqual(b.Frame.Data.ToArray(), frames[1].Bytes);
        }
    }

    [TestMethod]
    public void AThumbnailInsideAnAppSegmentDoesNotEndTheImage()
    {
        using var thumbnail = Encode(PixelFormat.I420, 16, 16, 1);
        using var main = Encode(PixelFormat.I420, 64, 48, 2);
        // SOI, APP1 carrying a complete JPEG (as EXIF thumbnails do), then the rest of the main image.
        var app1 = new List<byte> { 0xFF, 0xE1, (byte)((thumbnail.Frame.Length + 2) >> 8), (byte)(thumbnail.Frame.Length + 2) };
        app1.AddRange(thumbnail.Frame.Data.ToArray());
        byte[] image = [.. main.Frame.Data[..2], .. app1, .. main.Frame.Data[2..]];
        var (frames, problems) = Split(image, 100);
        Assert.AreEqual(0, problems.Count, string.Join("; ", problems));
        Assert.AreEqual(1, frames.Count);
        Assert.AreEqual((64, 48, image.Length), (frames[0].Width, frames[0].Height, frames[0].Bytes.Length));
    }

    [TestMethod]
    public void GarbageTruncatedEmptyAndOversizedImagesAreReportedAndSkipped()
    {
        using var good = Encode(PixelFormat.I420, 64, 48, 1);
        var data = good.Frame.Data.ToArray();
        byte[] stream = [.. "noise"u8, .. data, .. data[..(data.Length / 2)], .. data, 0xFF, 0xD8, 0xFF, 0xD9, .. new byte[300], .. data];
        var (frames, problems) = Split(stream, 333);
        Assert.AreEqual(3, frames.Count);
        Assert.IsTrue(problems.Any(p => p.Contains("garbage")), string.Join("; ", problems));
        Assert.IsTrue(problems.Any(p => p.Contains("a new image starts")), string.Join("; ", problems));
        Assert.IsTrue(problems.Any(p => p.Contains("EOI before any frame header")), string.Join("; ", problems));

        var small = new JpegSplitter(maxFrameBytes: data.Length - 1);
        var tooBig = new List<string>();
        int count = 0;
        Feed(small, [.. data, .. data], 64, (_, _, _) => count++, tooBig.Add);
        Assert.AreEqual(0, count);
        Assert.IsTrue(tooBig.Any(p => p.Contains("larger than")), string.Join("; ", tooBig));
    }

    [TestMethod]
    public void CheckRejectsTruncatedImagesAndAcceptsPaddingAfterTheEnd()
    {
        using var good = Encode(PixelFormat.I420, 64, 48, 1);
        var data = good.Frame.Data.ToArray();
        Assert.AreEqual(JpegScan.Complete, JpegScanner.Check([.. data, 0, 0, 0], out var padded));
        Assert.AreEqual(data.Length, padded.End);
        Assert.AreEqual(JpegScan.Invalid, JpegScanner.Check(data[..^10], out var truncated));
        StringAssert.Contains(truncated.Problem, "truncated");
        Assert.AreEqual(JpegScan.Invalid, JpegScanner.Check([], out _));
        Assert.AreEqual(JpegScan.Invalid, JpegScanner.Check("not a jpeg"u8, out _));
    }

    [TestMethod]
    public void AFrameGoesBackToThePoolOnItsLastReleaseAndCannotBeUsedAfterIt()
    {
        var frame = Frame.Rent(100, PixelFormat.Jpeg, 1, 1, 1, 0);
        frame.AddRef();
        frame.Release();
        Assert.AreEqual(100, frame.Data.Length);
        frame.Release();
        Assert.ThrowsExactly<ObjectDisposedException>(() => frame.Data.Length);
        Assert.ThrowsExactly<ObjectDisposedException>(() => frame.AddRef());
        Assert.ThrowsExactly<InvalidOperationException>(frame.Release);
    }

    private sealed class Encoded(Frame frame) : IDisposable
    {
        public Frame Frame { get; } = frame;

        public void Dispose() => Frame.Release();
    }

    private static Encoded Encode(PixelFormat layout, int width, int height, long sequence)
    {
        var raw = Frame.Rent(PixelFormats.PlanarBytes(layout, width, height), layout, width, height, sequence, 0);
        for (int i = 0; i < raw.Length; i++) raw.Buffer[i] = (byte)(i * 7);
        try { return new Encoded(JpegEncoder.ForThisThread.Encode(raw, 80)); }
        finally { raw.Release(); }
    }

    private sealed record Split1(int Width, int Height, byte[] Bytes);

    private static (List<Split1> Frames, List<string> Problems) Split(byte[] stream, int chunk)
    {
        var frames = new List<Split1>();
        var problems = new List<string>();
        Feed(new JpegSplitter(1 << 20), stream, chunk, (image, w, h) => frames.Add(new Split1(w, h, image.ToArray())), problems.Add);
        return (frames, problems);
    }

    private static void Feed(JpegSplitter splitter, byte[] stream, int chunk, Action<ReadOnlySpan<byte>, int, int> frame,
        Action<string> problem)
    {
        for (int at = 0; at < stream.Length;)
        {
            var target = splitter.GetWriteBuffer().Span;
            int n = Math.Min(Math.Min(chunk, target.Length), stream.Length - at);
            stream.AsSpan(at, n).CopyTo(target);
            splitter.Advance(n, frame, problem);
            at += n;
        }
    }
}
