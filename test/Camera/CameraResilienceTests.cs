using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Edge.Camera;
using Edge.Tests.Support;

namespace Edge.Tests.Camera;

[TestClass]
public sealed class CameraResilienceTests
{
    [TestMethod]
    public async Task NineteenViewersKeepNinetyPercentOfTheRateWhileOneViewerStallsAndIsThenDropped()
    {
        // 640x480 frames fill the stalled socket's fixed buffers within about two seconds.
        await using var server = await EdgeServer.Start(EdgeServer.ConfigWithUsers($$"""
            "Camera":{"Width":640,"Height":480,"Fps":{{CameraFixtures.Fps}},"ViewerTimeoutSeconds":3},
            """));
        using var stalled = await OpenStalledViewer(server);
        var viewers = new List<MjpegReader>();
        for (int i = 0; i < 19; i++) viewers.Add(await CameraFixtures.OpenStream(server));
        try
        {
            var rates = await Task.WhenAll(viewers.Select(v => CameraFixtures.MeasureFps(v, TimeSpan.FromSeconds(4))));
            foreach (double fps in rates)
                Assert.IsGreaterThanOrEqualTo(CameraFixtures.Fps * 0.9, fps,
                    $"rates: {string.Join(", ", rates.Select(r => r.ToString("0.0")))}");
            // The good viewers keep reading (so only the stalled one stalls) until the end of the test.
            using var stop = new CancellationTokenSource();
            var draining = viewers.Select(v => Task.Run(async () =>
            {
                try { while (await v.Next(stop.Token) != null) { } }
                catch (OperationCanceledException) { }
            })).ToArray();
            await Eventually.True(() => server.Log.Lines.Any(l => l.Contains("Dropped MJPEG viewer")),
                $"the stalled viewer was never dropped; log:\n{string.Join("\n", server.Log.Lines)}", 20000);
            await Eventually.True(async () => (await CameraFixtures.State(server, "camera.viewers")).GetInt32() == 19,
                "camera.viewers did not drop to 19", 5000);
            Assert.AreEqual(1, (await CameraFixtures.State(server, "camera.drops")).GetProperty("stalledViewers").GetInt64());
            stop.Cancel();
            await Task.WhenAll(draining);
        }
        finally
        {
            foreach (var viewer in viewers) viewer.Dispose();
        }
    }

    [TestMethod]
    public async Task KillingThePipeProcessRestartsTheSourceAndAConnectedViewerGetsFramesAgain()
    {
        string marker = $"edge-test-{Guid.NewGuid():N}";
        await using var server = await EdgeServer.Start(CameraFixtures.MjpegPipe(marker: $"-metadata comment={marker}"));
        using var viewer = await CameraFixtures.OpenStream(server);
        Assert.IsNotNull(await viewer.Next());
        var kill = await Tools.Run("pkill", ["-KILL", "-f", marker]);
        Assert.AreEqual(0, kill.ExitCode, "no camera process to kill");
        await Eventually.True(() => server.Log.Lines.Any(l => l.Contains("Service camera restarts")), "the camera was not restarted",
            10000);
        // Frames from the new process reach the same connection.
        var watch = Stopwatch.StartNew();
        int frames = 0;
        while (frames < 25)
        {
            Assert.IsNotNull(await viewer.Next(), "the stream ended");
            frames++;
        }
        Assert.IsLessThan(TimeSpan.FromSeconds(10), watch.Elapsed);
        Assert.AreEqual("running", (await CameraFixtures.State(server, "camera.status")).GetProperty("state").GetString());
    }

    [TestMethod]
    public async Task GarbageTruncatedAndEmptyJpegsAreSkippedCountedAndLoggedWhileGoodFramesPass()
    {
        string dir = Directory.CreateTempSubdirectory("edge-jpegs-").FullName;
        try
        {
            byte[] good = await Jpeg(dir, 0);
            byte[] last = await Jpeg(dir, 5);
            using (var stream = File.Create(Path.Combine(dir, "feed")))
            {
                stream.Write("garbage before the first image"u8);
                stream.Write(good);
                stream.Write(good.AsSpan(0, good.Length / 2)); // truncated: the next SOI starts before its EOI
                stream.Write(good);
                stream.Write([0xFF, 0xD8, 0xFF, 0xD9]); // an image with nothing in it
                stream.Write(new byte[1000]);
                stream.Write(last);
            }
            string config = EdgeServer.ConfigWithUsers($$"""
                "Camera":{"Source":"pipe","Format":"mjpeg","Command":"cat '{{dir}}/feed'; exec sleep 600"},
                """);
            await using var server = await EdgeServer.Start(config);
            await Eventually.True(async () =>
            {
                using var snapshot = await server.Http.GetAsync("/snapshot.jpg");
                return snapshot.IsSuccessStatusCode && (await snapshot.Content.ReadAsByteArrayAsync()).AsSpan().SequenceEqual(last);
            }, "the last good image becomes the current frame", 5000);
            await Eventually.True(async () => (await CameraFixtures.State(server, "camera.drops")).GetProperty("invalid").GetInt64() >= 4,
                "the broken images and garbage were not counted", 5000);
            string log = string.Join('\n', server.Log.Lines);
            StringAssert.Contains(log, "bytes of garbage before a JPEG image");
            StringAssert.Contains(log, "a new image starts");
            StringAssert.Contains(log, "EOI before any frame header");
            Assert.AreEqual("running", (await CameraFixtures.State(server, "camera.status")).GetProperty("state").GetString());
            using var health = await server.Http.GetAsync("/healthz");
            Assert.AreEqual(HttpStatusCode.OK, health.StatusCode);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    public async Task AFrameCutByEdgeStoppingTheCommandIsNotReportedAsTheCamerasFault()
    {
        // Half a frame of 320x240 YUYV, then the command waits: Edge is inside a frame when it stops.
        int half = CameraFixtures.Width * CameraFixtures.Height;
        string config = EdgeServer.ConfigWithUsers($$"""
            "Camera":{"Source":"pipe","Format":"yuyv","Width":{{CameraFixtures.Width}},"Height":{{CameraFixtures.Height}},
              "Command":"head -c {{half}} /dev/zero; exec sleep 600"},
            """);
        await using var server = await EdgeServer.Start(config);
        await Task.Delay(1500); // the half frame is read
        await server.Stop();
        Assert.IsFalse(server.Log.Lines.Any(l => l.Contains("ended inside a frame")), string.Join("\n", server.Log.Lines));
    }

    [TestMethod]
    public async Task ARawStreamThatEndsInsideAFrameIsReportedAndTheSourceRestarts()
    {
        // 1.5 frames of 320x240 YUYV, then the process exits.
        int half = CameraFixtures.Width * CameraFixtures.Height * 3;
        string config = EdgeServer.ConfigWithUsers($$"""
            "Camera":{"Source":"pipe","Format":"yuyv","Width":{{CameraFixtures.Width}},"Height":{{CameraFixtures.Height}},
              "Command":"head -c {{half}} /dev/zero"},
            """);
        await using var server = await EdgeServer.Start(config);
        await Eventually.True(() => server.Log.Lines.Any(l => l.Contains("the stream ended inside a frame")),
            "the short frame was not reported", 10000);
        await Eventually.True(() => server.Log.Lines.Any(l => l.Contains("the camera command exited with code 0")),
            "the exit was not reported", 10000);
        await Eventually.True(async () => (await CameraFixtures.State(server, "camera.status")).TryGetProperty("error", out _),
            "camera.status shows no error", 5000);
        // The restart stays on record, with the service's last error, spelled as the API spells it.
        System.Text.Json.JsonElement restart = default;
        await Eventually.True(async () =>
        {
            var events = (await server.Call("events.list", new { kind = "service.restarting" })).GetProperty("result")
                .GetProperty("events");
            if (events.GetArrayLength() == 0) return false;
            restart = events[0].GetProperty("data");
            return true;
        }, "a service.restarting event", 10000);
        Assert.AreEqual("camera", restart.GetProperty("name").GetString(), restart.ToString());
        Assert.AreEqual("Restarting", restart.GetProperty("status").GetString(), restart.ToString());
        StringAssert.Contains(restart.GetProperty("lastError").GetString(), "exited with code 0");
    }

    [TestMethod]
    public async Task ASnapshotWaitsForTheFirstFrameThenAnswers503WithTheReason()
    {
        string config = EdgeServer.ConfigWithUsers("""
            "Camera":{"Source":"pipe","Format":"mjpeg","Command":"exec sleep 600","SnapshotTimeoutSeconds":1},
            """);
        await using var server = await EdgeServer.Start(config);
        var watch = Stopwatch.StartNew();
        using var response = await server.Http.GetAsync("/snapshot.jpg");
        Assert.AreEqual(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.IsGreaterThanOrEqualTo(TimeSpan.FromSeconds(0.9), watch.Elapsed);
        StringAssert.Contains(await response.Content.ReadAsStringAsync(), "No frame from the camera within 1 s");
    }

    [TestMethod]
    public async Task EncodingStopsWithoutViewersAndResumesWithinOneFrameIntervalForTheFirstViewer()
    {
        const int fps = 10;
        await using var server = await EdgeServer.Start(CameraFixtures.TestPattern(fps));
        using (var first = await CameraFixtures.OpenStream(server)) Assert.IsNotNull(await first.Next());
        await Eventually.True(async () => (await CameraFixtures.State(server, "camera.fps")).GetProperty("encoded").GetDouble() == 0,
            "encoding went on without viewers", 5000);
        await Task.Delay(TimeSpan.FromSeconds(1.0 / fps * 3)); // the last picture is now stale
        using var response = await server.Http.GetAsync("/stream.mjpg", HttpCompletionOption.ResponseHeadersRead);
        using var viewer = new MjpegReader(await response.Content.ReadAsStreamAsync());
        var watch = Stopwatch.StartNew();
        Assert.IsNotNull(await viewer.Next());
        Assert.IsLessThan(TimeSpan.FromSeconds(1.0 / fps), watch.Elapsed, "the first frame took longer than one frame interval");
    }

    [TestMethod]
    public async Task AnH264CameraGainsSnapshotsMjpegAndRtspJpegDecodedFromItsStream()
    {
        await using var server = await EdgeServer.Start(CameraFixtures.PipeConfig("h264",
            "-pix_fmt yuv420p -c:v libx264 -tune zerolatency -g 25 -f h264"));
        using var snapshot = await server.Http.GetAsync("/snapshot.jpg");
        Assert.AreEqual(HttpStatusCode.OK, snapshot.StatusCode, await snapshot.Content.ReadAsStringAsync());
        string file = Path.Combine(server.DataDir, "snapshot.jpg");
        await File.WriteAllBytesAsync(file, await snapshot.Content.ReadAsByteArrayAsync());
        var probe = await Tools.Run("ffprobe", ["-v", "error", "-show_entries", "stream=codec_name,width,height", "-of", "csv=p=0", file]);
        Assert.AreEqual($"mjpeg,{CameraFixtures.Width},{CameraFixtures.Height}", probe.Output.Trim(), probe.Error);

        // Every unit is decoded while someone watches: the camera's own rate, not one picture a GOP. The stream
        // opens with the snapshot's picture, then the decoder waits for the camera's next key frame.
        using var viewer = await CameraFixtures.OpenStream(server);
        Assert.IsNotNull(await viewer.Next());
        double fps = await CameraFixtures.MeasureFps(viewer, TimeSpan.FromSeconds(2));
        Assert.IsTrue(fps >= CameraFixtures.Fps * 0.8, $"{fps:0.0} fps of MJPEG from a {CameraFixtures.Fps} fps H.264 camera");
        await Edge.Tests.Streaming.RtspTests.AssertFfmpegDecodes(server, "/stream", "tcp", "mjpeg");
    }

    [TestMethod]
    public async Task AnH264CameraWhoseStreamCannotBeDecodedSaysWhyInsteadOfWaiting()
    {
        // libx264 makes 4:4:4 (High 4:4:4) from testsrc's RGB: OpenH264 cannot decode it.
        await using var server = await EdgeServer.Start(CameraFixtures.PipeConfig("h264", "-c:v libx264 -tune zerolatency -g 25 -f h264",
            extra: "\"SnapshotTimeoutSeconds\":2,"));
        using var first = await server.Http.GetAsync("/snapshot.jpg");
        Assert.AreEqual(HttpStatusCode.ServiceUnavailable, first.StatusCode);
        using var second = await server.Http.GetAsync("/snapshot.jpg");
        Assert.AreEqual(HttpStatusCode.ServiceUnavailable, second.StatusCode);
        StringAssert.Contains(await second.Content.ReadAsStringAsync(), "4:4:4 it cannot");
        await Edge.Tests.Streaming.RtspTests.AssertFfmpegDecodes(server, "/h264", "tcp", "h264");
    }

    private static async Task<byte[]> Jpeg(string dir, int second)
    {
        string file = Path.Combine(dir, $"{second}.jpg");
        var made = await Tools.Run("ffmpeg",
            ["-nostdin", "-v", "error", "-f", "lavfi", "-i", $"testsrc=size=320x240:rate=1", "-ss", second.ToString(), "-frames:v", "1",
                "-y", file]);
        Assert.AreEqual(0, made.ExitCode, made.Error);
        return await File.ReadAllBytesAsync(file);
    }

    // A client that asks for the stream and never reads: its socket buffers fill and Edge's writes stall.
    private static async Task<Socket> OpenStalledViewer(EdgeServer server)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        await socket.ConnectAsync(IPAddress.Loopback, server.BaseUri.Port);
        string request =
            $"GET /stream.mjpg HTTP/1.1\r\nHost: {server.BaseUri.Authority}\r\nAuthorization: {CameraFixtures.Credentials}\r\n\r\n";
        await socket.SendAsync(Encoding.ASCII.GetBytes(request));
        return socket;
    }
}
