using System.Text.Json;
using Edge.Camera;
using Edge.Tests.Support;
using Edge.Video.Mp4;

namespace Edge.Tests.Video;

/// <summary>Edge's fragmented-MP4 writer against ffprobe and ffmpeg, with H.264 from libx264.</summary>
[TestClass]
public sealed class Mp4WriterTests
{
    private const int Fps = 30;
    private const uint FrameDuration = Mp4Track.Timescale / Fps;
    private static readonly ScratchFolder Scratch = new("edge-mp4-");

    [ClassCleanup]
    public static void Cleanup() => Scratch.Dispose();

    [TestMethod]
    public async Task AFileOfOneFragmentPerGopDecodesToTheSamePicturesWithTheirTimesAndKeyFlags()
    {
        var (units, raw) = await AccessUnits(frames: 60, gop: 30, profile: "high");
        string file = Scratch.NewPath("gop", ".mp4");
        await File.WriteAllBytesAsync(file, Build(units, samplesPerFragment: 30));

        var probe = await Tools.Run("ffprobe",
            ["-v", "error", "-show_entries", "stream=codec_name,profile,width,height:packet=pts_time,flags", "-of", "json", file]);
        Assert.AreEqual(0, probe.ExitCode, probe.Error);
        using var json = JsonDocument.Parse(probe.Output);
        var stream = json.RootElement.GetProperty("streams")[0];
        Assert.AreEqual("High", stream.GetProperty("profile").GetString());
        Assert.AreEqual(320, stream.GetProperty("width").GetInt32());
        Assert.AreEqual(240, stream.GetProperty("height").GetInt32());
        var packets = json.RootElement.GetProperty("packets").EnumerateArray().ToList();
        Assert.HasCount(60, packets);
        for (int i = 0; i < packets.Count; i++)
        {
            Assert.AreEqual(i / (double)Fps, double.Parse(packets[i].GetProperty("pts_time").GetString()!), 1e-4, $"packet {i}");
            Assert.AreEqual(i % 30 == 0, packets[i].GetProperty("flags").GetString()!.StartsWith('K'), $"packet {i}'s key flag");
        }
        // Every NAL unit's bytes arrived: the pictures decode exactly as the raw stream's.
        CollectionAssert.AreEqual(await FrameHashes(raw), await FrameHashes(file));
    }

    [TestMethod]
    public async Task AStreamOfOneFragmentPerFrameDecodesWithEveryFrame()
    {
        var (units, raw) = await AccessUnits(frames: 45, gop: 15, profile: "baseline");
        string file = Scratch.NewPath("live", ".mp4");
        await File.WriteAllBytesAsync(file, Build(units, samplesPerFragment: 1));
        CollectionAssert.AreEqual(await FrameHashes(raw), await FrameHashes(file));
    }

    [TestMethod]
    public async Task AFileCutAtAnyByteStillPlaysItsWholeFragments()
    {
        var (units, _) = await AccessUnits(frames: 50, gop: 10, profile: "main");
        byte[] whole = Build(units, samplesPerFragment: 10, out var fragmentEnds);
        var random = new Random(21);
        var cuts = new List<int> { fragmentEnds[0], fragmentEnds[2] + 1, fragmentEnds[3] - 1 };
        for (int i = 0; i < 5; i++) cuts.Add(random.Next(fragmentEnds[0], whole.Length));
        foreach (int cut in cuts)
        {
            string file = Scratch.NewPath("cut", ".mp4");
            await File.WriteAllBytesAsync(file, whole[..cut]);
            int complete = fragmentEnds.Count(end => end <= cut) - 1; // the first "end" is the init segment's
            var decoded = await Tools.Run("ffmpeg", ["-nostdin", "-v", "error", "-i", file, "-f", "framemd5", "-"]);
            int frames = decoded.Output.Split('\n').Count(line => line.Length > 0 && !line.StartsWith('#'));
            Assert.IsTrue(frames >= complete * 10 && frames < (complete + 1) * 10,
                $"cut at {cut} of {whole.Length}: {complete} whole fragments, {frames} frames decoded; {decoded.Error}");
        }
    }

    [TestMethod]
    public async Task WritingAFragmentAllocatesNothing()
    {
        var (units, _) = await AccessUnits(frames: 10, gop: 10, profile: "baseline");
        var buffer = new byte[1 << 20];
        var samples = units.Select(u => new Mp4Sample(u.Data, FrameDuration, u.Key)).ToArray();
        Mp4Fragment.Write(buffer, 1, 0, samples);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (uint i = 0; i < 100; i++)
        {
            Mp4Fragment.Write(buffer, i, i * FrameDuration, samples.AsSpan(0, 1));
            Mp4Fragment.Write(buffer, i, i * FrameDuration, samples);
        }
        Assert.AreEqual(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [TestMethod]
    public async Task ATrackNamesItsCodecAndSeesNewParameterSets()
    {
        var (baseline, _) = await AccessUnits(frames: 1, gop: 1, profile: "baseline");
        var (high, _) = await AccessUnits(frames: 2, gop: 10, profile: "high");
        var track = Mp4Track.From(baseline[0].Data)!;
        Assert.AreEqual("avc1.42C00D", track.Codec, "Constrained Baseline, level 1.3 at 320x240");
        Assert.AreEqual((320, 240), (track.Width, track.Height));
        Assert.IsTrue(track.Matches(baseline[0].Data));
        Assert.IsFalse(track.Matches(high[0].Data), "other parameter sets");
        Assert.IsTrue(track.Matches(high[1].Data), "a picture without parameter sets changes nothing");
        Assert.IsNull(Mp4Track.From(high[1].Data), "no SPS, no track");
    }

    private static byte[] Build(List<(byte[] Data, bool Key)> units, int samplesPerFragment) => Build(units, samplesPerFragment, out _);

    // The init segment, then fragments of so many frames; ends[i] is where the init segment (0) or fragment i ends.
    private static byte[] Build(List<(byte[] Data, bool Key)> units, int samplesPerFragment, out List<int> ends)
    {
        var track = Mp4Track.From(units[0].Data) ?? throw new AssertFailedException("the first unit has no SPS and PPS");
        using var file = new MemoryStream();
        file.Write(track.InitSegment);
        ends = [(int)file.Length];
        uint sequence = 0;
        for (int first = 0; first < units.Count; first += samplesPerFragment)
        {
            var samples = units.Skip(first).Take(samplesPerFragment).Select(u => new Mp4Sample(u.Data, FrameDuration, u.Key)).ToArray();
            var buffer = new byte[Mp4Fragment.Size(samples)];
            Assert.AreEqual(buffer.Length, Mp4Fragment.Write(buffer, ++sequence, (ulong)first * FrameDuration, samples));
            file.Write(buffer);
            ends.Add((int)file.Length);
        }
        return file.ToArray();
    }

    // Access units of the test source encoded by libx264 (with access unit delimiters, which the writer leaves out), and the raw stream.
    private static async Task<(List<(byte[] Data, bool Key)> Units, string Raw)> AccessUnits(int frames, int gop, string profile)
    {
        string raw = Scratch.NewPath("raw", ".h264");
        var made = await Tools.Run("ffmpeg",
            ["-nostdin", "-v", "error", "-f", "lavfi", "-i", $"testsrc=size=320x240:rate={Fps}", "-frames:v", frames.ToString(),
                "-c:v", "libx264", "-profile:v", profile, "-g", gop.ToString(), "-keyint_min", gop.ToString(), "-sc_threshold", "0",
                "-bf", "0", "-pix_fmt", "yuv420p", "-bsf:v", "h264_metadata=aud=insert", "-f", "h264", "-y", raw]);
        Assert.AreEqual(0, made.ExitCode, made.Error);
        byte[] stream = await File.ReadAllBytesAsync(raw);
        var units = new List<(byte[] Data, bool Key)>();
        var splitter = new H264Splitter(1 << 20);
        for (int at = 0; at < stream.Length;)
        {
            var target = splitter.GetWriteBuffer().Span;
            int n = Math.Min(target.Length, stream.Length - at);
            stream.AsSpan(at, n).CopyTo(target);
            splitter.Advance(n, (unit, key) => units.Add((unit.ToArray(), key)), problem => Assert.Fail(problem));
            at += n;
        }
        splitter.Flush((unit, key) => units.Add((unit.ToArray(), key)));
        Assert.HasCount(frames, units);
        return (units, raw);
    }

    private static async Task<List<string>> FrameHashes(string file)
    {
        var run = await Tools.Run("ffmpeg", ["-nostdin", "-v", "error", "-i", file, "-f", "framemd5", "-"]);
        Assert.AreEqual(0, run.ExitCode, run.Error);
        return [.. run.Output.Split('\n').Where(line => line.Length > 0 && !line.StartsWith('#'))
            .Select(line => line.Split(',')[^1].Trim())];
    }
}
