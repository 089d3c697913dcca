using System.Diagnostics;
using System.Text.Json;
using Edge.Api;
using Edge.Tests.Camera;
using Edge.Tests.Streaming;
using Edge.Tests.Support;

namespace Edge.Tests.Video;

/// <summary>H.264 made by Edge (OpenH264) from cameras that do not deliver it, checked with ffmpeg and ffprobe over RTSP.</summary>
[TestClass]
public sealed class H264EncodingTests
{
    [TestMethod]
    [DataRow("tcp")]
    [DataRow("udp")]
    public async Task FfmpegDecodesSixtyFramesOfTheTestPatternEncodedToH264(string transport)
    {
        await using var server = await EdgeServer.Start(CameraFixtures.TestPattern());
        await RtspTests.AssertFfmpegDecodes(server, "/h264", transport, "h264");
    }

    [TestMethod]
    [DataRow("testpattern", "baseline", "Constrained Baseline")]
    [DataRow("yuyv", "main", "Main")]
    [DataRow("nv12", "high", "High")]
    [DataRow("i420", "baseline", "Constrained Baseline")]
    [DataRow("mjpeg", "main", "Main")]
    public async Task EverySourceIsEncodedWithTheSizeProfileAndKeyFramePeriodOfTheSettings(string source, string profile, string probed)
    {
        string config = source switch
        {
            "testpattern" => CameraFixtures.TestPattern(),
            "yuyv" => CameraFixtures.PipeConfig("yuyv", "-f rawvideo -pix_fmt yuyv422"),
            "nv12" => CameraFixtures.PipeConfig("nv12", "-f rawvideo -pix_fmt nv12"),
            "i420" => CameraFixtures.PipeConfig("i420", "-f rawvideo -pix_fmt yuv420p"),
            // 4:2:2, as USB webcams send it.
            _ => CameraFixtures.PipeConfig("mjpeg", "-f mjpeg -pix_fmt yuvj422p -q:v 5"),
        };
        await using var server = await EdgeServer.Start(config, null, "--H264:Profile", profile, "--H264:KeyframeSeconds", "1");
        int port = await RtspTests.Port(server);
        string url = $"rtsp://{EdgeServer.User}:{Uri.EscapeDataString(EdgeServer.Password)}@127.0.0.1:{port}/h264";
        var probe = await Tools.Run("ffprobe",
            ["-v", "error", "-rtsp_transport", "tcp", "-select_streams", "v:0",
                "-show_entries", "stream=codec_name,profile,width,height:frame=key_frame", "-read_intervals", "%+#90", "-of", "json", url]);
        using var json = JsonDocument.Parse(probe.Output);
        var stream = json.RootElement.GetProperty("streams")[0];
        Assert.AreEqual("h264", stream.GetProperty("codec_name").GetString(), probe.Error);
        Assert.AreEqual(probed, stream.GetProperty("profile").GetString());
        Assert.AreEqual(CameraFixtures.Width, stream.GetProperty("width").GetInt32());
        Assert.AreEqual(CameraFixtures.Height, stream.GetProperty("height").GetInt32());
        var keys = json.RootElement.GetProperty("frames").EnumerateArray()
            .Select((frame, index) => (Key: frame.GetProperty("key_frame").GetInt32() == 1, Index: index))
            .Where(f => f.Key).Select(f => f.Index).ToList();
        Assert.AreEqual(0, keys[0], "the stream starts on a key frame");
        // After the first (which a viewer may have asked for), one key frame a second: the settings' period.
        var periods = keys.Zip(keys.Skip(1), (a, b) => b - a).Skip(1).ToList();
        Assert.IsTrue(periods.Count >= 1, $"key frames at {string.Join(", ", keys)}");
        Assert.IsTrue(periods.All(p => p == CameraFixtures.Fps), $"key frames at {string.Join(", ", keys)}");
    }

    [TestMethod]
    public async Task AViewerJoiningMidGopGetsAKeyFrameWithinAFewFramesNotAfterTheGop()
    {
        // Key frames every 10 s: a viewer that waited for the next one would wait seconds.
        await using var server = await EdgeServer.Start(CameraFixtures.TestPattern(), null, "--H264:KeyframeSeconds", "10");
        int port = await RtspTests.Port(server);
        using var first = await Play(port);
        using var drain = new CancellationTokenSource();
        var draining = Drain(first, drain.Token);
        await first.ReadPackets(1);
        var joins = new List<double>();
        byte[]? firstAccessUnit = null;
        for (int i = 0; i < 5; i++)
        {
            await Task.Delay(700); // somewhere in the middle of the GOP
            using var viewer = await Setup(port);
            var watch = Stopwatch.StartNew();
            Assert.AreEqual(200, (await viewer.Client.Request("PLAY", viewer.Url, headers: ("Session", viewer.Session))).Status);
            var accessUnit = await ReadAccessUnit(viewer.Client);
            joins.Add(watch.Elapsed.TotalMilliseconds);
            Assert.AreEqual(7, accessUnit[4] & 0x1F, "the first thing a new viewer gets is a key frame's SPS");
            firstAccessUnit ??= accessUnit;
        }
        drain.Cancel();
        await draining;
        joins.Sort();
        string times = string.Join(", ", joins.Select(t => $"{t:0} ms"));
        Console.WriteLine($"PLAY to a whole key frame: {times}");
        Assert.IsTrue(joins[2] <= 100, $"median time from PLAY to a whole key frame: {times}");
        Assert.IsTrue(joins[^1] < 1000, $"no join waited for the GOP's own key frame: {times}");

        string file = Path.Combine(server.DataDir, "join.h264");
        await File.WriteAllBytesAsync(file, firstAccessUnit!);
        var decoded = await Tools.Run("ffmpeg", ["-nostdin", "-v", "error", "-f", "h264", "-i", file, "-f", "framemd5", "-"]);
        Assert.AreEqual(1, decoded.Output.Split('\n').Count(l => l.Length > 0 && !l.StartsWith('#')), decoded.Error);
    }

    [TestMethod]
    public async Task CameraSetChangesTheH264SettingsSavesThemAndKeepsCaptureRunning()
    {
        await using var server = await EdgeServer.Start(CameraFixtures.TestPattern());
        var reply = await server.Call("camera.set", new { h264 = new { bitrate = 500, profile = "high", keyframeSeconds = 1 } });
        var h264 = reply.GetProperty("result").GetProperty("h264");
        Assert.AreEqual(500, h264.GetProperty("bitrate").GetInt32(), reply.ToString());
        Assert.AreEqual("high", h264.GetProperty("profile").GetString());
        Assert.AreEqual("auto", h264.GetProperty("encoder").GetString(), "fields not named keep their value");
        string saved = await File.ReadAllTextAsync(Path.Combine(server.DataDir, "camera.json"));
        StringAssert.Contains(saved, "\"bitrate\":500");
        Assert.AreEqual(500, (await server.Call("camera.get")).GetProperty("result").GetProperty("h264").GetProperty("bitrate").GetInt32());

        int port = await RtspTests.Port(server);
        string url = $"rtsp://{EdgeServer.User}:{Uri.EscapeDataString(EdgeServer.Password)}@127.0.0.1:{port}/h264";
        var probe = await Tools.Run("ffprobe",
            ["-v", "error", "-rtsp_transport", "tcp", "-show_entries", "stream=profile", "-of", "csv=p=0", url]);
        Assert.AreEqual("High", probe.Output.Trim(), probe.Error);
        Assert.AreEqual(1, server.Log.Lines.Count(l => l.Contains("Camera: starting")), "H.264 settings do not restart capture");

        object[] bad = [new { h264 = new { bitrate = 1 } }, new { h264 = new { profile = "extended" } },
            new { h264 = new { encoder = "x264" } },
            new { h264 = new { gop = 5 } }, new { h264 = 5 }, new { h264 = new { keyframeSeconds = "2" } }];
        foreach (var parameters in bad)
        {
            var refused = await server.Call("camera.set", parameters);
            Assert.AreEqual(ApiErrorCode.InvalidParams, refused.GetProperty("error").GetProperty("code").GetInt32(), refused.ToString());
        }
        Assert.AreEqual(500, (await server.Call("camera.get")).GetProperty("result").GetProperty("h264").GetProperty("bitrate").GetInt32(),
            "a refused change changes nothing");
    }

    [TestMethod]
    public async Task TheStateSaysWhichEncoderRunsAndWhatItMakes()
    {
        await using var server = await EdgeServer.Start(CameraFixtures.TestPattern());
        int port = await RtspTests.Port(server);
        using var viewer = await Play(port);
        using var drain = new CancellationTokenSource();
        var draining = Drain(viewer, drain.Token);
        JsonElement state = default;
        await Eventually.True(async () =>
        {
            var reply = await server.Call("state.get", new { keys = new[] { "camera.h264" } });
            if (!reply.GetProperty("result").TryGetProperty("camera.h264", out state)) return false; // before the first tick
            return state.TryGetProperty("fps", out var fps) && fps.GetDouble() > 10 && state.TryGetProperty("encodeMs", out _);
        }, "camera.h264 with a frame rate and encode times", 10000);
        StringAssert.StartsWith(state.GetProperty("encoder").GetString(), "OpenH264 2.");
        Assert.IsTrue(state.GetProperty("kbps").GetDouble() > 0, state.ToString());
        Assert.IsTrue(state.GetProperty("encodeMs").GetProperty("p50Ms").GetDouble() > 0, state.ToString());
        Assert.AreEqual(0, state.GetProperty("drops").GetInt64(), state.ToString());
        Assert.IsFalse(state.TryGetProperty("error", out _), state.ToString());
        drain.Cancel();
        await draining;
    }

    private sealed record Viewer(RtspClient Client, string Url, string Session) : IDisposable
    {
        public void Dispose() => Client.Dispose();
    }

    private static async Task<Viewer> Setup(int port)
    {
        var client = await RtspClient.Connect(port);
        string url = $"rtsp://127.0.0.1:{port}/h264";
        Assert.AreEqual(200, (await client.Request("DESCRIBE", url)).Status);
        var setup = await client.Request("SETUP", url + "/track1", headers: ("Transport", "RTP/AVP/TCP;unicast;interleaved=0-1"));
        Assert.AreEqual(200, setup.Status);
        return new Viewer(client, url, setup.Headers["Session"].Split(';')[0]);
    }

    private static async Task<RtspClient> Play(int port)
    {
        var viewer = await Setup(port);
        Assert.AreEqual(200, (await viewer.Client.Request("PLAY", viewer.Url, headers: ("Session", viewer.Session))).Status);
        return viewer.Client;
    }

    // Reads what a viewer is sent so its connection never stalls.
    private static async Task Drain(RtspClient client, CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested) await client.ReadPackets(1, timeoutMs: 2000);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException) { }
    }

    // RTP (RFC 6184: single NAL units and FU-A) back to an Annex B access unit, up to the packet with the marker bit.
    private static async Task<byte[]> ReadAccessUnit(RtspClient client)
    {
        var unit = new List<byte>();
        while (true)
        {
            var packet = (await client.ReadPackets(1))[0];
            var payload = packet.AsSpan(12);
            int type = payload[0] & 0x1F;
            if (type is >= 1 and <= 23)
            {
                unit.AddRange([0, 0, 0, 1]);
                unit.AddRange(payload.ToArray());
            }
            else if (type == 28)
            {
                if ((payload[1] & 0x80) != 0) unit.AddRange([0, 0, 0, 1, (byte)((payload[0] & 0xE0) | (payload[1] & 0x1F))]);
                unit.AddRange(payload[2..].ToArray());
            }
            if ((packet[1] & 0x80) != 0) return [.. unit];
        }
    }

    [TestMethod]
    public async Task NamingAV4l2EncoderTheBoardLacksIsAFaultReadyzNamesAndJpegStillPlays()
    {
        await using var server = await EdgeServer.Start(CameraFixtures.TestPattern(), null, "--H264:Encoder", "v4l2");
        await Eventually.True(async () =>
        {
            var ready = await server.Http.GetAsync("/readyz");
            string body = await ready.Content.ReadAsStringAsync();
            return ready.StatusCode == System.Net.HttpStatusCode.ServiceUnavailable && body.Contains("\"h264\"")
                && body.Contains("no V4L2 mem-to-mem H.264 encoder was found");
        }, "/readyz naming the h264 service and why", 10000);
        int port = await RtspTests.Port(server);
        using var client = await RtspClient.Connect(port);
        Assert.AreEqual(404, (await client.Request("DESCRIBE", $"rtsp://127.0.0.1:{port}/h264")).Status);
        Assert.AreEqual(200, (await client.Request("DESCRIBE", $"rtsp://127.0.0.1:{port}/stream")).Status);
    }

    [TestMethod]
    public async Task AnH264DeviceThatIsNotAnEncoderIsNamedInTheProblem()
    {
        // /dev/null is a character device, but not V4L2's: never opened as one.
        await using var server = await EdgeServer.Start(CameraFixtures.TestPattern(), null, "--H264:Encoder", "v4l2",
            "--H264:Device", "/dev/video99");
        await Eventually.True(async () =>
            (await (await server.Http.GetAsync("/readyz")).Content.ReadAsStringAsync())
                .Contains("/dev/video99 is not a V4L2 mem-to-mem H.264 encoder"), "the device named in /readyz", 10000);
    }

    [TestMethod]
    public async Task AnEncoderThatCannotStartIsAClearFaultTheSupervisorRetriesWhileJpegGoesOn()
    {
        // OpenH264 refuses pictures this big: a real error of the real library.
        await using var server = await EdgeServer.Start(EdgeServer.ConfigWithUsers("""
            "Camera":{"Source":"testpattern","Width":4096,"Height":4096,"Fps":2},
            """));
        int port = await RtspTests.Port(server);
        using var client = await RtspClient.Connect(port);
        var describe = client.Request("DESCRIBE", $"rtsp://127.0.0.1:{port}/h264");
        await Eventually.True(() => server.Log.Lines.Any(l => l.Contains("Service h264 failed: OpenH264 cannot encode 4096×4096")),
            "the encoder's failure, saying what it could not do", 10000);
        await Eventually.True(() => server.Log.Lines.Any(l => l.Contains("Service h264 restarts in")), "the supervisor's retry", 10000);
        Assert.AreNotEqual(200, (await describe).Status, "no H.264 to describe");
        using var snapshot = await server.Http.GetAsync("/snapshot.jpg");
        Assert.AreEqual(System.Net.HttpStatusCode.OK, snapshot.StatusCode, "JPEG goes on");
    }

    [TestMethod]
    public async Task ViewersThatJoinOverAndOverCannotTurnTheStreamIntoKeyFrames()
    {
        // Key frames every 10 s: all but the first few seen below are ones viewers asked for.
        await using var server = await EdgeServer.Start(CameraFixtures.TestPattern(), null, "--H264:KeyframeSeconds", "10");
        int port = await RtspTests.Port(server);
        using var observer = await Play(port);
        await observer.ReadPackets(1);
        using var stop = new CancellationTokenSource();
        var keyFrames = CountKeyFrames(observer, stop.Token);
        var watch = Stopwatch.StartNew();
        // A viewer every 30 ms for about a second: each asks for a key frame, more than one a frame interval.
        for (int i = 0; i < 30; i++)
        {
            using var viewer = await Setup(port);
            await viewer.Client.Request("PLAY", viewer.Url, headers: ("Session", viewer.Session));
            await Task.Delay(30);
        }
        var joining = watch.Elapsed;
        await Task.Delay(400);
        stop.Cancel();
        int seen = await keyFrames;
        // One a MinKeyFrameInterval (250 ms) at most, and the one the observer started with.
        int allowed = (int)((joining.TotalMilliseconds + 400) / 250) + 2;
        Console.WriteLine($"{seen} key frames while 30 viewers joined in {joining.TotalMilliseconds:0} ms");
        Assert.IsTrue(seen <= allowed,
            $"{seen} key frames while 30 viewers joined in {joining.TotalMilliseconds:0} ms (at most {allowed})");
        Assert.IsTrue(seen >= 3, $"{seen} key frames: the joins were not served");
    }

    // Key frames (their SPS, sent as a single NAL unit) in what a viewer receives.
    private static async Task<int> CountKeyFrames(RtspClient client, CancellationToken cancellationToken)
    {
        int count = 0;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
                foreach (var packet in await client.ReadPackets(1, timeoutMs: 2000))
                    if ((packet[12] & 0x1F) == 7) count++;
        }
        catch (Exception e) when (e is OperationCanceledException or IOException) { }
        return count;
    }
}
