using Edge.Camera;
using Edge.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Tests.Camera;

[TestClass]
public sealed class H264SplitterTests
{
    [TestMethod]
    public async Task AnFfmpegStreamSplitsIntoOneAccessUnitPerPictureWhateverTheReadSizes()
    {
        string file = Path.GetTempFileName();
        try
        {
            var made = await Tools.Run("ffmpeg",
                ["-nostdin", "-v", "error", "-f", "lavfi", "-i", "testsrc=size=160x120:rate=10", "-frames:v", "20",
                    "-c:v", "libx264", "-g", "10", "-bf", "0", "-f", "h264", "-y", file]);
            Assert.AreEqual(0, made.ExitCode, made.Error);
            byte[] stream = await File.ReadAllBytesAsync(file);
            foreach (int chunk in new[] { 1, 5, 1000, stream.Length })
            {
                var units = new List<(int Length, bool Key)>();
                var problems = new List<string>();
                var splitter = new H264Splitter(1 << 20);
                for (int at = 0; at < stream.Length;)
                {
                    var target = splitter.GetWriteBuffer().Span;
                    int n = Math.Min(Math.Min(chunk, target.Length), stream.Length - at);
                    stream.AsSpan(at, n).CopyTo(target);
                    splitter.Advance(n, (unit, key) => units.Add((unit.Length, key)), problems.Add);
                    at += n;
                }
                splitter.Flush((unit, key) => units.Add((unit.Length, key)));
                Assert.AreEqual(0, problems.Count, string.Join("; ", problems));
                Assert.AreEqual(20, units.Count, $"chunk {chunk}");
                CollectionAssert.AreEqual(new[] { 0, 10 }, units.Select((u, i) => (u, i)).Where(x => x.u.Key).Select(x => x.i).ToArray());
                Assert.AreEqual(stream.Length, units.Sum(u => u.Length), "every byte belongs to a unit");
            }
        }
        finally
        {
            File.Delete(file);
        }
    }

    [TestMethod]
    public async Task APipeSourceDeliversAccessUnitsFromARealEncoder()
    {
        var source = new PipeSource("exec ffmpeg -nostdin -v error -re -f lavfi -i testsrc=size=160x120:rate=10 -frames:v 20 " +
            "-c:v libx264 -tune zerolatency -g 10 -flush_packets 1 -f h264 -",
            CameraFormat.H264, 160, 120, PixelFormat.I420, NullLogger.Instance);
        var output = new CaptureOutput(TimeProvider.System, NullLogger.Instance);
        // The source runs on its own thread, as in Edge: blocking a pool thread here would starve the reader.
        Exception? ended = null;
        var capture = new Thread(() =>
        {
            try { source.Run(output, CancellationToken.None); }
            catch (Exception e) { ended = e; }
            finally { output.Complete(); }
        });
        capture.Start();
        var frames = new List<(bool Key, long Sequence)>();
        await foreach (var frame in output.Reader.ReadAllAsync())
        {
            Assert.AreEqual(PixelFormat.H264, frame.Format);
            frames.Add((frame.IsKeyFrame, frame.Sequence));
            frame.Release();
        }
        capture.Join();
        // ffmpeg writes each picture as it is made (-flush_packets 1), as a camera does; it ends after 20 pictures: the source
        // reports that as a failure, as it must.
        Assert.IsInstanceOfType<CameraException>(ended);
        StringAssert.Contains(ended.Message, "exited with code 0");
        // Each picture is delivered or, if this reader fell behind, dropped and counted; never lost or merged.
        Assert.AreEqual(20, frames.Count + output.Dropped, $"delivered {frames.Count}, dropped {output.Dropped}");
        Assert.IsGreaterThanOrEqualTo(10, frames.Count);
        foreach (var (key, sequence) in frames) Assert.AreEqual(sequence % 10 == 1, key, $"picture {sequence}");
        CollectionAssert.AreEqual(frames.Select(f => f.Sequence).Order().ToArray(), frames.Select(f => f.Sequence).ToArray());
    }
}
