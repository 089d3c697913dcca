using System.Net;
using System.Text.Json;
using Edge.Tests.Camera;
using Edge.Tests.Support;

namespace Edge.Tests.Motion;

/// <summary>Motion detection in a real server: the test pattern's moving box, other cameras, the settings API and the actions.</summary>
[TestClass]
public sealed class MotionTests
{
    // The test pattern at 320x240: its box sweeps rows 65-95; the clock is drawn along the bottom rows.
    // On an 8-row grid (30 rows of pixels each) the box is in rows 2 and 3, and rows 0 and 1 hold only still bars.
    private static readonly string[] BoxRows = ["....", "....", "####", "####", "....", "....", "....", "...."];
    private static readonly string[] StillRows = ["####", "####", "....", "....", "....", "....", "....", "...."];

    private static string Config(string zones, string more = "") => EdgeServer.ConfigWithUsers($$"""
        "Camera":{"Source":"testpattern","Width":{{CameraFixtures.Width}},"Height":{{CameraFixtures.Height}},"Fps":{{CameraFixtures.Fps}}},
        "Motion":{"Enabled":true,"Fps":5,"CooldownSeconds":1,"Zones":{{zones}}{{more}}},
        """);

    [TestMethod]
    public async Task TheMovingBoxIsMotionInItsZoneNoneInAStillZoneAndMotionEndsAfterTheCooldownWhenTheZoneMoves()
    {
        await using var server = await EdgeServer.Start(Config(JsonSerializer.Serialize(StillRows)));
        await Task.Delay(3000);
        Assert.IsFalse(await Active(server), "the still bars show no motion");
        Assert.AreEqual(0.0, (await CameraFixtures.State(server, "motion.level")).GetDouble());
        Assert.AreEqual(0, await Events(server, "motion.start"), "nothing was journaled");

        var set = await server.Call("motion.set", new { zones = BoxRows });
        Assert.AreEqual(JsonValueKind.Array, set.GetProperty("result").GetProperty("zones").ValueKind, set.ToString());
        await Eventually.True(() => Active(server), "the box's rows show motion", 5000);
        Assert.IsGreaterThan(0.5, (await CameraFixtures.State(server, "motion.level")).GetDouble());
        Assert.AreEqual(1, await Events(server, "motion.start"));

        await server.Call("motion.set", new { zones = StillRows });
        await Eventually.True(async () => !await Active(server), "motion ended a second after the zone moved off the box", 5000);
        var ended = (await server.Call("events.list", new { kind = "motion.end" })).GetProperty("result").GetProperty("events");
        Assert.AreEqual(1, ended.GetArrayLength());
        var data = ended[0].GetProperty("data");
        Assert.IsGreaterThan(0.5, data.GetProperty("level").GetDouble(), data.ToString());
        Assert.IsGreaterThanOrEqualTo(1.0, data.GetProperty("seconds").GetDouble(), "it lasted at least the cool-down: " + data);
    }

    [TestMethod]
    public async Task AStillSceneThatTheLightBrightensShowsNoMotion()
    {
        // A camera looking at a still scene (one picture of testsrc2, repeated) whose light goes up by about 30 levels after 3 s.
        string still = Path.Combine(Path.GetTempPath(), $"edge-still-{Guid.NewGuid():N}.png");
        var made = await Tools.Run("ffmpeg",
            ["-nostdin", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=320x240", "-frames:v", "1", still]);
        Assert.AreEqual(0, made.ExitCode, made.Error);
        try
        {
            // The filter in double quotes (escaped for JSON): its commas are not filter separators.
            string command = "exec ffmpeg -nostdin -v error -re -loop 1 -framerate 25 -i " + still
                + " -vf \\\"eq=brightness='if(gte(t,3),0.12,0)':eval=frame\\\" -f rawvideo -pix_fmt yuv420p -";
            string config = EdgeServer.ConfigWithUsers($$"""
                "Motion":{"Enabled":true,"Sensitivity":80},
                "Camera":{"Source":"pipe","Format":"i420","Width":320,"Height":240,"Fps":25,"Command":"{{command}}"},
                """);
            await using var server = await EdgeServer.Start(config);
            await Eventually.True(async () => await server.State("motion.stats") is { } stats && stats.GetProperty("fps").GetDouble() > 0,
                "pictures are analysed", 5000);
            double before = await Brightness(server);
            await Task.Delay(4000);
            double after = await Brightness(server);
            Assert.IsGreaterThan(before + 20, after, "the light went up");
            Assert.AreEqual(0, await Events(server, "motion.start"), "a change of light is no motion");
            Assert.IsFalse(await Active(server));
        }
        finally
        {
            File.Delete(still);
        }
    }

    // The mean luma of a snapshot, as ffmpeg's signalstats reads it.
    private static async Task<double> Brightness(EdgeServer server)
    {
        string file = Path.Combine(Path.GetTempPath(), $"edge-snapshot-{Guid.NewGuid():N}.jpg");
        await File.WriteAllBytesAsync(file, await server.Http.GetByteArrayAsync("/snapshot.jpg"));
        try
        {
            var stats = await Tools.Run("ffprobe", ["-v", "error", "-f", "lavfi", "-i", $"movie={file},signalstats",
                "-show_entries", "frame_tags=lavfi.signalstats.YAVG", "-of", "csv=p=0"]);
            Assert.AreEqual(0, stats.ExitCode, stats.Error);
            return double.Parse(stats.Output.Trim(), System.Globalization.CultureInfo.InvariantCulture);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [TestMethod]
    public async Task MjpegAndH264CamerasAreAnalysedToo()
    {
        // ffmpeg's testsrc draws a moving sweep and a counter: motion anywhere in the picture.
        foreach (var (name, camera) in new[]
        {
            ("MJPEG", CameraFixtures.MjpegPipe()),
            ("H.264", CameraFixtures.PipeConfig("h264", "-pix_fmt yuv420p -c:v libx264 -tune zerolatency -g 25 -f h264")),
        })
        {
            await using var server = await EdgeServer.Start(camera.Replace("\"Camera\":", "\"Motion\":{\"Enabled\":true},\"Camera\":"));
            try
            {
                await Eventually.True(() => Active(server), $"{name}: the moving picture shows motion", 10000);
            }
            catch (Exception)
            {
                var state = await server.Call("state.get", new { keys = new[] { "motion.level", "motion.stats", "camera.status" } });
                Assert.Fail($"{name}: no motion; {state}\n{string.Join("\n", server.Log.Lines)}");
            }
        }
    }

    [TestMethod]
    public async Task TwoMotionSetsAtOnceOnDifferentFieldsBothLandAndAreSaved()
    {
        // The class of issue 18's camera.set fault: each call acknowledged must be applied and saved, in order.
        string dataDir = Directory.CreateTempSubdirectory("edge-data-").FullName;
        try
        {
            await using var server = await EdgeServer.Start(CameraFixtures.TestPattern(), null, "--data-dir", dataDir);
            for (int round = 1; round <= 5; round++)
            {
                int sensitivity = 40 + round, cooldownSeconds = 5 + round;
                var replies = await Task.WhenAll(server.Call("motion.set", new { sensitivity }),
                    server.Call("motion.set", new { cooldownSeconds }));
                foreach (var reply in replies) Assert.IsTrue(reply.TryGetProperty("result", out _), reply.ToString());
                var settings = (await server.Call("motion.get")).GetProperty("result");
                Assert.AreEqual((sensitivity, cooldownSeconds),
                    (settings.GetProperty("sensitivity").GetInt32(), settings.GetProperty("cooldownSeconds").GetInt32()), $"round {round}");
                using var saved = JsonDocument.Parse(File.ReadAllText(Path.Combine(dataDir, "motion.json")));
                string text = saved.RootElement.ToString();
                StringAssert.Contains(text, $"\"sensitivity\":{sensitivity}", $"round {round}");
                StringAssert.Contains(text, $"\"cooldownSeconds\":{cooldownSeconds}", $"round {round}");
            }
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }

    [TestMethod]
    public async Task MotionSetIsSavedAppliedAndKeptAcrossARestartAndBadSettingsChangeNothing()
    {
        string dataDir = Directory.CreateTempSubdirectory("edge-data-").FullName;
        try
        {
            await using (var server = await EdgeServer.Start(CameraFixtures.TestPattern(), null, "--data-dir", dataDir))
            {
                var defaults = (await server.Call("motion.get")).GetProperty("result");
                Assert.IsFalse(defaults.GetProperty("enabled").GetBoolean(), "off unless asked");
                Assert.AreEqual(5, defaults.GetProperty("fps").GetInt32());
                var reply = await server.Call("motion.set", new { enabled = true, sensitivity = 70, zones = BoxRows, action = "snapshot" });
                Assert.AreEqual(70, reply.GetProperty("result").GetProperty("sensitivity").GetInt32(), reply.ToString());
                Assert.IsTrue(File.Exists(Path.Combine(dataDir, "motion.json")));
                string before = (await server.Call("motion.get")).GetProperty("result").ToString();
                object[] bad =
                [
                    new { fps = 0 },
                    new { sensitivity = 101 },
                    new { minAreaPercent = 0 },
                    new { cooldownSeconds = 0 },
                    new { action = "film" },
                    new { zones = new[] { "##", "#" } },
                    new { zones = new[] { "#x" } },
                    new { zones = new[] { "..", ".." } },
                    new { zones = Enumerable.Repeat("#", 33).ToArray() },
                    new { zones = new[] { new string('#', 33) } },
                    new { zones = "####" },
                    new { enabled = "yes" },
                    new { color = true },
                ];
                foreach (var parameters in bad)
                {
                    var refused = await server.Call("motion.set", parameters);
                    Assert.AreEqual(-32602, refused.GetProperty("error").GetProperty("code").GetInt32(),
                        $"{JsonSerializer.Serialize(parameters)}: {refused}");
                }
                Assert.AreEqual(before, (await server.Call("motion.get")).GetProperty("result").ToString(), "nothing changed");
            }
            await using var restarted = await EdgeServer.Start(CameraFixtures.TestPattern(), null, "--data-dir", dataDir);
            var kept = (await restarted.Call("motion.get")).GetProperty("result");
            Assert.AreEqual((true, 70, "snapshot"),
                (kept.GetProperty("enabled").GetBoolean(), kept.GetProperty("sensitivity").GetInt32(),
                    kept.GetProperty("action").GetString()));
            CollectionAssert.AreEqual(BoxRows, kept.GetProperty("zones").EnumerateArray().Select(r => r.GetString()).ToArray());
            // Saved settings drive the restarted server: the box is motion, and its action saved a picture.
            await Eventually.True(() => Active(restarted), "the restarted server detects motion", 5000);
            await Eventually.True(async () => await Events(restarted, "camera.snapshot") == 1, "motion's snapshot was journaled", 5000);
            var snapshot = (await restarted.Call("events.list", new { kind = "camera.snapshot" })).GetProperty("result")
                .GetProperty("events")[0].GetProperty("data");
            Assert.AreEqual("motion", snapshot.GetProperty("reason").GetString(), snapshot.ToString());
            using var file = await restarted.Http.GetAsync("/files/" + snapshot.GetProperty("file").GetString());
            Assert.AreEqual(HttpStatusCode.OK, file.StatusCode);
            Assert.AreEqual("image/jpeg", file.Content.Headers.ContentType?.MediaType);
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }

    [TestMethod]
    public async Task MotionWithTheRecordActionRecordsWhileItGoesOnAndThePostRollAfter()
    {
        await using var server = await EdgeServer.Start(Config(JsonSerializer.Serialize(BoxRows), """
            ,"Action":"record"},"Recording":{"Mode":"events","PreRollSeconds":1,"PostRollSeconds":2},"H264":{"KeyframeSeconds":1
            """));
        async Task<bool> Recording() => (await server.State("recording"))?.GetProperty("recording").GetBoolean() == true;
        await Eventually.True(Recording, "motion started no recording", 10000);
        Assert.AreEqual("motion", (await CameraFixtures.State(server, "recording")).GetProperty("reason").GetString());
        // The box keeps moving: the recording goes on while motion does.
        await Task.Delay(4000);
        Assert.IsTrue(await Recording(), "it goes on with the motion");
        await server.Call("motion.set", new { zones = StillRows });
        await Eventually.True(async () => !await Recording(), "the recording ended its post-roll after the last motion", 10000);
        var recordings = (await server.Call("recordings.list")).GetProperty("result").GetProperty("recordings");
        Assert.AreEqual(1, recordings.GetArrayLength(), recordings.ToString());
    }

    private static async Task<bool> Active(EdgeServer server) => (await server.State("motion.active"))?.GetBoolean() == true;

    private static async Task<int> Events(EdgeServer server, string kind)
        => (await server.Call("events.list", new { kind })).GetProperty("result").GetProperty("events").GetArrayLength();
}
