using System.Text.Json;
using Edge.Api;
using Edge.Hosting;
using Edge.Tests.Support;

namespace Edge.Tests.Camera;

[TestClass]
public sealed class CameraApiTests
{
    [TestMethod]
    public async Task CameraGetReturnsTheConfiguredSettings()
    {
        await using var server = await EdgeServer.Start(CameraFixtures.TestPattern(fps: 12));
        var settings = (await server.Call("camera.get")).GetProperty("result");
        Assert.AreEqual("testpattern", settings.GetProperty("source").GetString());
        Assert.AreEqual(12, settings.GetProperty("fps").GetInt32());
        Assert.AreEqual(CameraFixtures.Width, settings.GetProperty("width").GetInt32());
    }

    [TestMethod]
    public async Task CameraListNamesTheSourcesAndFindsNoDevicesOnAMachineWithoutCameras()
    {
        await using var server = await EdgeServer.Start(CameraFixtures.TestPattern());
        var list = (await server.Call("camera.list")).GetProperty("result");
        CollectionAssert.AreEqual(new[] { "testpattern", "v4l2", "pipe" },
            list.GetProperty("sources").EnumerateArray().Select(s => s.GetString()).ToArray());
        Assert.AreEqual(Directory.EnumerateFiles("/dev", "video*").Count(), list.GetProperty("devices").GetArrayLength());
        // No V4L2 here: no mem-to-mem H.264 encoder either (the VM test lists vicodec's nodes, which are not H.264).
        Assert.AreEqual(0, list.GetProperty("encoders").GetArrayLength());
    }

    [TestMethod]
    public async Task CameraSetRestartsTheSourceWithTheNewSizeAndKeepsItAcrossARestart()
    {
        string config = CameraFixtures.TestPattern();
        string dataDir = Directory.CreateTempSubdirectory("edge-data-").FullName;
        try
        {
            await using (var server = await EdgeServer.Start(config, null, "--data-dir", dataDir))
            {
                var reply = await server.Call("camera.set", new { width = 160, height = 120, quality = 50 });
                Assert.AreEqual(160, reply.GetProperty("result").GetProperty("width").GetInt32(), reply.ToString());
                await AssertSnapshotSize(server, 160, 120);
                Assert.IsTrue(File.Exists(Path.Combine(dataDir, "camera.json")));
                // New settings restart the source at once; the service itself did not fail.
                var camera = (await server.Call("system.info")).GetProperty("result").GetProperty("services").EnumerateArray()
                    .Single(s => s.GetProperty("name").GetString() == "camera");
                Assert.AreEqual(0, camera.GetProperty("restarts").GetInt32(), camera.ToString());
                Assert.IsFalse(server.Log.Lines.Any(l => l.Contains("Service camera failed")), string.Join("\n", server.Log.Lines));
            }
            await using var restarted = await EdgeServer.Start(config, null, "--data-dir", dataDir);
            var settings = (await restarted.Call("camera.get")).GetProperty("result");
            Assert.AreEqual((160, 120, 50),
                (settings.GetProperty("width").GetInt32(), settings.GetProperty("height").GetInt32(),
                    settings.GetProperty("quality").GetInt32()));
            await AssertSnapshotSize(restarted, 160, 120);
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }

    [TestMethod]
    public async Task InvalidCameraSettingsAreRefusedAndChangeNothing()
    {
        await using var server = await EdgeServer.Start(CameraFixtures.TestPattern());
        var before = (await server.Call("camera.get")).GetProperty("result").ToString();
        object[] bad =
        [
            new { width = 100000 },
            new { width = 321 },
            new { fps = 0 },
            new { quality = 101 },
            new { source = "webcam" },
            new { source = "v4l2", device = "/etc/passwd" },
            new { source = "v4l2", device = "/dev/v4l/../../tmp/x" },
            new { source = "v4l2", device = "/dev/video0/../../tmp/x" },
            new { source = "v4l2", device = "/dev//video0" },
            new { source = "v4l2", device = "/dev/video-edge-missing" },
            new { h264 = new { encoder = "v4l2", device = "/dev/v4l/../../tmp/x" } },
            new { h264 = new { device = "/dev/video0/../../etc/passwd" } },
            new { subsampling = "411" },
            new { width = "wide" },
            new { colour = "red" },
        ];
        foreach (var parameters in bad)
        {
            var reply = await server.Call("camera.set", parameters);
            Assert.AreEqual(ApiErrorCode.InvalidParams, reply.GetProperty("error").GetProperty("code").GetInt32(), reply.ToString());
        }
        var command = await server.Call("camera.set", new { source = "pipe", command = "rm -rf /" });
        Assert.AreEqual(ApiErrorCode.Forbidden, command.GetProperty("error").GetProperty("code").GetInt32());
        Assert.AreEqual(before, (await server.Call("camera.get")).GetProperty("result").ToString());
        Assert.IsFalse(File.Exists(Path.Combine(server.DataDir, "camera.json")));
        await AssertSnapshotSize(server, CameraFixtures.Width, CameraFixtures.Height);
    }

    [TestMethod]
    public async Task TwoCameraSetsAtOnceOnDifferentFieldsBothLandInTheCameraAndTheFile()
    {
        string dataDir = Directory.CreateTempSubdirectory("edge-data-").FullName;
        try
        {
            await using var server = await EdgeServer.Start(CameraFixtures.TestPattern(), null, "--data-dir", dataDir);
            for (int round = 1; round <= 5; round++)
            {
                int quality = 40 + round, fps = 5 + round;
                var replies = await Task.WhenAll(server.Call("camera.set", new { quality }), server.Call("camera.set", new { fps }));
                foreach (var reply in replies) Assert.IsTrue(reply.TryGetProperty("result", out _), reply.ToString());
                var settings = (await server.Call("camera.get")).GetProperty("result");
                Assert.AreEqual((quality, fps), (settings.GetProperty("quality").GetInt32(), settings.GetProperty("fps").GetInt32()),
                    $"round {round}: {settings}");
                using var saved = JsonDocument.Parse(File.ReadAllText(Path.Combine(dataDir, "camera.json")));
                Assert.AreEqual((quality, fps),
                    (saved.RootElement.GetProperty("quality").GetInt32(), saved.RootElement.GetProperty("fps").GetInt32()),
                    $"round {round}: {saved.RootElement}");
            }
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }

    [TestMethod]
    public async Task ASavedDevicePathThatEscapesDevIsIgnoredAtStart()
    {
        string dataDir = Directory.CreateTempSubdirectory("edge-data-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dataDir, "camera.json"),
                """{"source":"v4l2","device":"/dev/v4l/../../tmp/x","format":"yuyv","width":""" +
                """640,"height":480,"fps":30,"quality":80,"subsampling":"420"}""");
            await using var server = await EdgeServer.Start(CameraFixtures.TestPattern(), null, "--data-dir", dataDir);
            Assert.AreEqual("testpattern", (await server.Call("camera.get")).GetProperty("result").GetProperty("source").GetString());
            Assert.IsTrue(server.Log.Lines.Any(l => l.Contains("ignored") && l.Contains("without '..'")),
                string.Join("\n", server.Log.Lines));
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }

    [TestMethod]
    public void AnAbsurdConfiguredSizeStopsStartUpWithAMessageNamingTheSetting()
    {
        string dir = Directory.CreateTempSubdirectory("edge-test-").FullName;
        try
        {
            string path = Path.Combine(dir, "edge.json");
            File.WriteAllText(path, """{"Camera":{"Width":100000,"Height":720}}""");
            var error = Assert.ThrowsExactly<ConfigException>(() =>
                Program.CreateHost(CommandLine.Parse(["--config", path, "--data-dir", Path.Combine(dir, "data")])));
            StringAssert.Contains(error.Message, "Camera:Width and Height must be between 16 and 4096");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    public async Task CameraStateIsPublishedEverySecondAndPushedToSubscribers()
    {
        await using var server = await EdgeServer.Start(CameraFixtures.TestPattern());
        using var socket = await server.Connect();
        var subscribed = await socket.Call("state.subscribe", new { prefixes = new[] { "camera." } });
        Assert.IsTrue(subscribed.TryGetProperty("result", out _), subscribed.ToString());
        using var viewer = await CameraFixtures.OpenStream(server);
        Assert.IsNotNull(await viewer.Next());
        var seen = new Dictionary<string, JsonElement>();
        string[] keys = ["camera.status", "camera.fps", "camera.viewers", "camera.drops", "camera.encode_ms", "camera.video"];
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (DateTime.UtcNow < deadline && !(keys.All(seen.ContainsKey) && seen["camera.fps"].GetProperty("delivered").GetDouble() > 0
            && seen["camera.video"].GetProperty("width").GetInt32() > 0))
        {
            var push = await socket.Receive();
            if (push.TryGetProperty("state", out var key)) seen[key.GetString()!] = push.GetProperty("value");
        }
        foreach (var key in keys)
            Assert.IsTrue(seen.ContainsKey(key), $"{key} was not pushed; got {string.Join(", ", seen.Keys)}");
        Assert.IsGreaterThan(0.0, seen["camera.fps"].GetProperty("encoded").GetDouble());
        Assert.IsGreaterThan(0.0, seen["camera.encode_ms"].GetProperty("p99Ms").GetDouble());
        Assert.AreEqual("running", seen["camera.status"].GetProperty("state").GetString());
        Assert.AreEqual("ok", seen["camera.video"].GetProperty("signal").GetString());
        Assert.AreEqual(CameraFixtures.Width, seen["camera.video"].GetProperty("width").GetInt32());
        Assert.AreEqual(CameraFixtures.Height, seen["camera.video"].GetProperty("height").GetInt32());
    }

    [TestMethod]
    public async Task CameraVideoSaysIdleWithoutViewersAndNoneWhenWatchedButNoFrameCameFor2Seconds()
    {
        var clock = new ManualClock();
        string config = EdgeServer.ConfigWithUsers("""
            "Camera":{"Source":"pipe","Format":"mjpeg","Command":"exec sleep 600"},
            """);
        await using var server = await EdgeServer.Start(config, clock);
        async Task<string?> Signal() => (await CameraFixtures.State(server, "camera.video")).GetProperty("signal").GetString();
        await Eventually.True(async () =>
            (await CameraFixtures.State(server, "camera.status")).GetProperty("state").GetString() == "running", "the camera runs");
        clock.Advance(TimeSpan.FromSeconds(1));
        await Eventually.True(async () => await Signal() == "idle", "idle without viewers");

        // The stream's headers wait for a first frame: the viewer is not awaited.
        using var leave = new CancellationTokenSource();
        var viewer = server.Http.GetAsync("/stream.mjpg", HttpCompletionOption.ResponseHeadersRead, leave.Token);
        await Eventually.True(async () =>
        {
            clock.Advance(TimeSpan.FromMilliseconds(100));
            return (await CameraFixtures.State(server, "camera.viewers")).GetInt32() == 1;
        }, "the viewer counts");
        Assert.AreEqual("ok", await Signal(), "the first frame may take up to 2 s");
        clock.Advance(TimeSpan.FromSeconds(1));
        await Eventually.True(async () => await Signal() == "none", "no signal after 2 s without a frame");
        Assert.AreEqual(0, (await CameraFixtures.State(server, "camera.video")).GetProperty("width").GetInt32());
        leave.Cancel();
        await Assert.ThrowsAsync<TaskCanceledException>(() => viewer);
    }

    private static async Task AssertSnapshotSize(EdgeServer server, int width, int height)
    {
        await Eventually.True(async () =>
        {
            using var response = await server.Http.GetAsync("/snapshot.jpg");
            if (!response.IsSuccessStatusCode) return false;
            Edge.Camera.JpegScanner.Check(await response.Content.ReadAsByteArrayAsync(), out var scan);
            return scan.Width == width && scan.Height == height;
        }, $"a {width}x{height} snapshot", 5000);
    }
}
