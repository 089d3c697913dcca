using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Edge.Tests.Camera;
using Edge.Tests.Support;

namespace Edge.Tests.Web;

/// <summary>Live H.264 as fragmented MP4 (/live.mp4 and the WebSocket /live) from a real server, read by ffprobe and ffmpeg.</summary>
[TestClass]
public sealed class LiveVideoTests
{
    private static readonly ScratchFolder Scratch = new("edge-live-");

    [ClassCleanup]
    public static void Cleanup() => Scratch.Dispose();

    [TestMethod]
    public async Task LiveMp4StartsOnAKeyFrameAtOnceAndEveryFrameCarriesItsCaptureTiming()
    {
        // Key frames every 10 s: a viewer that waited for the next one would wait seconds.
        await using var server = await EdgeServer.Start(CameraFixtures.TestPattern(), null, "--H264:KeyframeSeconds", "10");
        for (int viewer = 0; viewer < 3; viewer++)
        {
            var watch = Stopwatch.StartNew();
            using var response = await server.Http.GetAsync("/live.mp4", HttpCompletionOption.ResponseHeadersRead);
            if (response.StatusCode != HttpStatusCode.OK) Assert.Fail(await response.Content.ReadAsStringAsync());
            Assert.AreEqual("video/mp4", response.Content.Headers.ContentType?.MediaType);
            var reader = new Mp4BoxReader(await response.Content.ReadAsStreamAsync());
            var ftyp = await reader.Next();
            var moov = await reader.Next();
            Assert.AreEqual(("ftyp", "moov"), (ftyp?.Type, moov?.Type));
            var first = await reader.NextFragment();
            Assert.IsTrue(Mp4BoxReader.IsKeyFragment(first!), "the first fragment is a key frame");
            Assert.IsLessThan(TimeSpan.FromSeconds(1), watch.Elapsed, "the key frame came at once, not at the GOP's end");
            using var file = File.Create(Scratch.NewPath("live", ".mp4"));
            file.Write(ftyp!.Value.Bytes);
            file.Write(moov!.Value.Bytes);
            file.Write(first);
            for (int i = 1; i < 50; i++) file.Write((await reader.NextFragment())!);
            file.Close();
            await AssertPlays(file.Name, frames: 50);
            await Task.Delay(300 * viewer); // the next viewer joins somewhere else in the GOP
        }
    }

    [TestMethod]
    public async Task TheWebSocketNamesCodecSizeAndEpochThenSendsTheInitSegmentAndAFragmentPerFrame()
    {
        await using var server = await EdgeServer.Start(CameraFixtures.TestPattern(), null, "--H264:Profile", "main");
        using var socket = await OpenLiveSocket(server);
        var (type, hello) = await Receive(socket);
        Assert.AreEqual(WebSocketMessageType.Text, type);
        using var json = JsonDocument.Parse(hello);
        Assert.StartsWith("avc1.4D", json.RootElement.GetProperty("codec").GetString()!, "Main profile");
        Assert.AreEqual(CameraFixtures.Width, json.RootElement.GetProperty("width").GetInt32());
        Assert.AreEqual(CameraFixtures.Height, json.RootElement.GetProperty("height").GetInt32());
        double epoch = json.RootElement.GetProperty("epoch").GetDouble();
        double now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        Assert.IsTrue(epoch <= now && epoch > now - 5000, $"epoch {epoch} against now {now}");
        var (initType, init) = await Receive(socket);
        Assert.AreEqual(WebSocketMessageType.Binary, initType);
        Assert.AreEqual("ftyp", Encoding.ASCII.GetString(init, 4, 4));
        using var file = File.Create(Scratch.NewPath("ws", ".mp4"));
        file.Write(init);
        for (int i = 0; i < 40; i++)
        {
            var (fragmentType, fragment) = await Receive(socket);
            Assert.AreEqual(WebSocketMessageType.Binary, fragmentType);
            Assert.AreEqual("moof", Encoding.ASCII.GetString(fragment, 4, 4), "one whole fragment per message");
            if (i == 0) Assert.IsTrue(Mp4BoxReader.IsKeyFragment(fragment), "the first fragment is a key frame");
            file.Write(fragment);
        }
        file.Close();
        await AssertPlays(file.Name, frames: 40);
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
        Assert.AreEqual(WebSocketCloseStatus.NormalClosure, socket.CloseStatus, "the server answered the close");
    }

    [TestMethod]
    public async Task AStalledLiveViewerIsDroppedWhileAnotherKeepsItsFrameRate()
    {
        // Noise makes the encoder spend its 8 Mbit/s, which fills the stalled socket's buffers within seconds.
        string config = CameraFixtures.PipeConfig("i420", "-vf noise=alls=80:allf=t -f rawvideo -pix_fmt yuv420p",
            extra: "\"ViewerTimeoutSeconds\":2,");
        await using var server = await EdgeServer.Start(config, null, "--H264:Bitrate", "8000");
        using var stalled = new Socket(SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        await stalled.ConnectAsync(IPAddress.Loopback, server.BaseUri.Port);
        await stalled.SendAsync(Encoding.ASCII.GetBytes(
            $"GET /live.mp4 HTTP/1.1\r\nHost: {server.BaseUri.Authority}\r\nAuthorization: {CameraFixtures.Credentials}\r\n\r\n"));
        using var response = await server.Http.GetAsync("/live.mp4", HttpCompletionOption.ResponseHeadersRead);
        var reader = new Mp4BoxReader(await response.Content.ReadAsStreamAsync());
        await reader.Next();
        await reader.Next();
        var watch = Stopwatch.StartNew();
        int fragments = 0;
        while (watch.Elapsed < TimeSpan.FromSeconds(5))
        {
            Assert.IsNotNull(await reader.NextFragment(), "the good viewer's stream ended");
            fragments++;
        }
        Assert.IsGreaterThanOrEqualTo(CameraFixtures.Fps * 5 * 0.9, fragments, "the good viewer kept the camera's rate");
        // The good viewer keeps reading (so only the stalled one stalls) until the drop.
        while (!server.Log.Lines.Any(l => l.Contains("Dropped live.mp4 viewer")))
        {
            Assert.IsLessThan(TimeSpan.FromSeconds(30), watch.Elapsed,
                "the stalled viewer was never dropped:\n" + string.Join("\n", server.Log.Lines));
            Assert.IsNotNull(await reader.NextFragment(), "the good viewer's stream ended");
        }
        Assert.AreEqual(1, (await CameraFixtures.State(server, "camera.live")).GetProperty("stalledViewers").GetInt64());
    }

    [TestMethod]
    public async Task LiveVideoNeedsALoginAndSaysWhyWhenThereIsNoEncoder()
    {
        await using (var server = await EdgeServer.Start(CameraFixtures.TestPattern()))
        {
            using var anonymous = new HttpClient { BaseAddress = server.BaseUri };
            foreach (string path in new[] { "/live.mp4", "/live", "/hls/index.m3u8", "/hls/init.mp4?v=1", "/hls/0.m4s" })
                Assert.AreEqual(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(path)).StatusCode, path);
            using var plain = await server.Http.GetAsync("/live");
            Assert.AreEqual(HttpStatusCode.BadRequest, plain.StatusCode, "/live is for WebSockets");
        }
        await using (var server = await EdgeServer.Start(CameraFixtures.TestPattern(), null, "--H264:Encoder", "none"))
        {
            foreach (string path in new[] { "/live.mp4", "/hls/index.m3u8" })
            {
                using var refused = await server.Http.GetAsync(path);
                Assert.AreEqual(HttpStatusCode.ServiceUnavailable, refused.StatusCode, path);
                StringAssert.Contains(await refused.Content.ReadAsStringAsync(), "H264:Encoder is none");
            }
            // MJPEG goes on.
            Assert.AreEqual(HttpStatusCode.OK, (await server.Http.GetAsync("/snapshot.jpg")).StatusCode);
        }
    }

    [TestMethod]
    public async Task ANewPictureSizeEndsTheLiveStreamAndTheNextOneHasIt()
    {
        await using var server = await EdgeServer.Start(CameraFixtures.TestPattern());
        using var response = await server.Http.GetAsync("/live.mp4", HttpCompletionOption.ResponseHeadersRead);
        var reader = new Mp4BoxReader(await response.Content.ReadAsStreamAsync());
        await reader.Next();
        await reader.Next();
        await reader.NextFragment();
        var set = await server.Call("camera.set", new { width = 160, height = 128 });
        Assert.IsTrue(set.TryGetProperty("result", out _), set.ToString());
        using var ended = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (await reader.NextFragment(ended.Token) != null) { }
        string file = Scratch.NewPath("resized", ".mp4");
        await File.WriteAllBytesAsync(file, await ReadLive(server, fragments: 10));
        var probe = await Tools.Run("ffprobe", ["-v", "error", "-show_entries", "stream=width,height", "-of", "csv=p=0", file]);
        Assert.AreEqual("160,128", probe.Output.Trim(), probe.Error);
    }

    // The init segment and so many fragments of a new /live.mp4 response.
    private static async Task<byte[]> ReadLive(EdgeServer server, int fragments)
    {
        using var response = await server.Http.GetAsync("/live.mp4", HttpCompletionOption.ResponseHeadersRead);
        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
        var reader = new Mp4BoxReader(await response.Content.ReadAsStreamAsync());
        var bytes = new List<byte>();
        bytes.AddRange((await reader.Next())!.Value.Bytes);
        bytes.AddRange((await reader.Next())!.Value.Bytes);
        for (int i = 0; i < fragments; i++) bytes.AddRange((await reader.NextFragment())!);
        return [.. bytes];
    }

    private static async Task<ClientWebSocket> OpenLiveSocket(EdgeServer server)
    {
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", CameraFixtures.Credentials.ToString());
        await socket.ConnectAsync(new Uri($"ws://{server.BaseUri.Authority}/live"), CancellationToken.None);
        return socket;
    }

    private static async Task<(WebSocketMessageType Type, byte[] Payload)> Receive(ClientWebSocket socket)
    {
        using var message = new MemoryStream();
        var buffer = new byte[64 * 1024];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, timeout.Token);
            message.Write(buffer, 0, result.Count);
            if (result.EndOfMessage) return (result.MessageType, message.ToArray());
        }
    }

    // ffprobe: the test pattern's size, a key frame first, frames the camera's period apart; ffmpeg decodes every frame.
    private static async Task AssertPlays(string file, int frames)
    {
        var probe = await Tools.Run("ffprobe",
            ["-v", "error", "-show_entries", "stream=width,height:packet=pts_time,flags", "-of", "json", file]);
        Assert.AreEqual(0, probe.ExitCode, probe.Error);
        using var json = JsonDocument.Parse(probe.Output);
        var stream = json.RootElement.GetProperty("streams")[0];
        Assert.AreEqual((CameraFixtures.Width, CameraFixtures.Height),
            (stream.GetProperty("width").GetInt32(), stream.GetProperty("height").GetInt32()));
        var packets = json.RootElement.GetProperty("packets").EnumerateArray().ToList();
        Assert.HasCount(frames, packets);
        Assert.StartsWith("K", packets[0].GetProperty("flags").GetString()!);
        var times = packets.Select(p => double.Parse(p.GetProperty("pts_time").GetString()!)).ToList();
        var gaps = times.Zip(times.Skip(1), (a, b) => b - a).ToList();
        double period = 1.0 / CameraFixtures.Fps;
        Assert.IsTrue(gaps.All(g => g > period * 0.5 && g < period * 2),
            $"gaps {string.Join(", ", gaps.Select(g => g.ToString("0.000")))}");
        Assert.AreEqual(period, gaps.Average(), period * 0.1, "frames are the camera's period apart");
        var decoded = await Tools.Run("ffmpeg", ["-nostdin", "-v", "error", "-i", file, "-f", "framemd5", "-"]);
        Assert.AreEqual(0, decoded.ExitCode, decoded.Error);
        Assert.AreEqual(frames, decoded.Output.Split('\n').Count(line => line.Length > 0 && !line.StartsWith('#')), decoded.Error);
    }
}
