using System.Globalization;
using System.Net;
using System.Text.Json;
using Edge.Tests.Camera;
using Edge.Tests.Support;

namespace Edge.Tests.Web;

/// <summary>HLS from a real server: the playlist, its segments and ffmpeg as the player.</summary>
[TestClass]
public sealed class HlsTests
{
    private static readonly ScratchFolder Scratch = new("edge-hls-");

    [ClassCleanup]
    public static void Cleanup() => Scratch.Dispose();

    [TestMethod]
    public async Task ThePlaylistListsSegmentsOfASecondThatStartOnKeyFramesAndFfmpegPlaysIt()
    {
        // Key frames every 10 s: the segmenter asks for one each second.
        await using var server = await EdgeServer.Start(CameraFixtures.TestPattern(), null, "--H264:KeyframeSeconds", "10");
        using var first = await server.Http.GetAsync("/hls/index.m3u8");
        Assert.AreEqual(HttpStatusCode.OK, first.StatusCode, await first.Content.ReadAsStringAsync());
        Assert.AreEqual("application/vnd.apple.mpegurl", first.Content.Headers.ContentType?.MediaType);
        await Task.Delay(4500);
        string playlist = await server.Http.GetStringAsync("/hls/index.m3u8");
        var segments = Segments(playlist);
        Assert.IsGreaterThanOrEqualTo(4, segments.Count, playlist);
        StringAssert.StartsWith(playlist, "#EXTM3U\n#EXT-X-VERSION:7\n");
        StringAssert.Contains(playlist, "#EXT-X-TARGETDURATION:1\n");
        string map = playlist.Split('\n').Single(l => l.StartsWith("#EXT-X-MAP:", StringComparison.Ordinal));
        string initUri = map[(map.IndexOf('"') + 1)..map.LastIndexOf('"')];
        byte[] init = await server.Http.GetByteArrayAsync("/hls/" + initUri);
        double frame = 1.0 / CameraFixtures.Fps;
        foreach (var (name, duration) in segments)
        {
            Assert.AreEqual(1.0, duration, frame + 1e-3, $"{name} lasts a second, give or take a frame:\n{playlist}");
            string file = Scratch.NewPath("segment", ".mp4");
            await File.WriteAllBytesAsync(file, [.. init, .. await server.Http.GetByteArrayAsync("/hls/" + name)]);
            var probe = await Tools.Run("ffprobe", ["-v", "error", "-show_entries", "packet=flags", "-of", "json", file]);
            using var json = JsonDocument.Parse(probe.Output);
            var packets = json.RootElement.GetProperty("packets").EnumerateArray().ToList();
            Assert.StartsWith("K", packets[0].GetProperty("flags").GetString()!, $"{name} starts on a key frame");
            Assert.AreEqual(duration * CameraFixtures.Fps, packets.Count, 1.0, $"{name}: as many frames as its duration says");
        }
        string url = $"http://{EdgeServer.User}:{Uri.EscapeDataString(EdgeServer.Password)}@{server.BaseUri.Authority}/hls/index.m3u8";
        var played = await Tools.Run("ffmpeg", ["-nostdin", "-v", "error", "-i", url, "-t", "3", "-f", "framemd5", "-"],
            TimeSpan.FromSeconds(30));
        Assert.AreEqual(0, played.ExitCode, played.Error);
        int frames = played.Output.Split('\n').Count(line => line.Length > 0 && !line.StartsWith('#'));
        Assert.AreEqual(3 * CameraFixtures.Fps, frames, 2, played.Error);
    }

    [TestMethod]
    public async Task OnlyTheNewestFewSegmentsAreKept()
    {
        await using var server = await EdgeServer.Start(CameraFixtures.TestPattern());
        Assert.AreEqual(HttpStatusCode.OK, (await server.Http.GetAsync("/hls/index.m3u8")).StatusCode);
        await Task.Delay(8500);
        string playlist = await server.Http.GetStringAsync("/hls/index.m3u8");
        var segments = Segments(playlist);
        Assert.AreEqual(6, segments.Count, playlist);
        long sequence = long.Parse(playlist.Split('\n').Single(l => l.StartsWith("#EXT-X-MEDIA-SEQUENCE:", StringComparison.Ordinal))[22..],
            CultureInfo.InvariantCulture);
        Assert.AreEqual($"{sequence}.m4s", segments[0].Name, "the media sequence names the first segment");
        Assert.IsGreaterThan(0, sequence, "older segments left the playlist");
        Assert.AreEqual(HttpStatusCode.NotFound, (await server.Http.GetAsync("/hls/0.m4s")).StatusCode, "a segment that left is gone");
        foreach (string bad in new[] { "x.m4s", "-1.m4s", "1.mp4", "99999999999999999999.m4s" })
            Assert.AreEqual(HttpStatusCode.NotFound, (await server.Http.GetAsync("/hls/" + bad)).StatusCode, bad);
        Assert.AreEqual(HttpStatusCode.NotFound, (await server.Http.GetAsync("/hls/init.mp4?v=77")).StatusCode);
    }

    [TestMethod]
    public async Task SegmentsStopBeingMadeHalfAMinuteAfterThePlayersLastRequestAndStartAgainAtTheNext()
    {
        var clock = new ManualClock();
        await using var server = await EdgeServer.Start(CameraFixtures.TestPattern(), clock);
        // The segmenter is one of the live stream's viewers while it runs (state camera.live, once a second).
        async Task<long> Viewers()
        {
            await Task.Delay(300); // what the clock set off reaches the loop
            clock.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(300);
            return (await CameraFixtures.State(server, "camera.live")).GetProperty("viewers").GetInt64();
        }
        async Task Request()
        {
            // With the clock standing still the playlist waits for a segment: the request is what matters here.
            using var cancel = new CancellationTokenSource(500);
            try
            {
                using var reply = await server.Http.GetAsync("/hls/index.m3u8", cancel.Token);
            }
            catch (TaskCanceledException)
            {
            }
        }

        Assert.AreEqual(0, await Viewers(), "nothing runs before a player asks");
        await Request(); // t = 1 s
        Assert.AreEqual(1, await Viewers(), "a request starts the segmenter");
        clock.Advance(TimeSpan.FromSeconds(18));
        await Request(); // t = 20 s
        clock.Advance(TimeSpan.FromSeconds(23));
        Assert.AreEqual(1, await Viewers(), "44 s: the second request keeps it running");
        clock.Advance(TimeSpan.FromSeconds(7));
        Assert.AreEqual(0, await Viewers(), "52 s: half a minute after the last request it stopped");
        Assert.AreEqual(0, await Viewers(), "and stays stopped");
        await Request();
        Assert.AreEqual(1, await Viewers(), "the next request starts it again");
    }

    private static List<(string Name, double Duration)> Segments(string playlist)
    {
        var lines = playlist.Split('\n');
        var segments = new List<(string, double)>();
        for (int i = 0; i < lines.Length; i++)
            if (lines[i].StartsWith("#EXTINF:", StringComparison.Ordinal))
                segments.Add((lines[i + 1], double.Parse(lines[i][8..^1], CultureInfo.InvariantCulture)));
        return segments;
    }
}
