using System.Diagnostics;
using Edge.Tests.Gpio;
using Edge.Tests.Support;

namespace Edge.Tests.Web;

/// <summary>
/// The web UI in a real browser (Debian's Chromium driven by playwright-core; test/run.sh installs both):
/// test/ui/ui-flow.mjs plays a desktop and a phone user; this side moves GPIO inputs when asked and checks
/// the server's state behind what the pages showed, then answers "go". Screenshots land in the test output's ui-screenshots/.
/// </summary>
[TestClass]
public sealed class BrowserTests
{
    public const int Door = 5;

    // One MJPEG viewer: the second browser must fall back to polling snapshots.
    private static string Config => EdgeServer.ConfigWithUsers("""
        "Camera":{"Source":"testpattern","Width":160,"Height":120,"Fps":10,"MaxViewers":1},
        "Gpio":{"Driver":"memory","Pins":[
          {"name":"ir_cut","line":17,"direction":"output","initial":0},
          {"name":"button","line":27,"direction":"input","edge":"falling","action":"snapshot"},
          {"name":"door","line":5,"direction":"input","edge":"both"}]},
        """);

    [TestMethod]
    public async Task LoginLiveViewCameraGpioEventsFilesAndLogoutWorkInChromiumOnDesktopAndPhone()
    {
        if (!File.Exists("/usr/bin/chromium")) Assert.Fail("Chromium is missing: run test/run.sh, which installs it.");
        await using var server = await EdgeServer.Start(Config);
        var output = await RunPages(server, "ui-flow.mjs", []);
        CollectionAssert.Contains(output, "ok");
        Assert.IsTrue(File.Exists(Path.Combine(Screenshots, "desktop.png")) && File.Exists(Path.Combine(Screenshots, "phone.png")));
        var events = (await server.Call("events.list", new { kind = "camera.snapshot" })).GetProperty("result").GetProperty("events");
        Assert.AreEqual(1, events.GetArrayLength(), "one falling edge, one snapshot");
        Assert.IsTrue(File.Exists(Path.Combine(server.DataDir, "files", events[0].GetProperty("data").GetProperty("file").GetString()!)));
    }

    [TestMethod]
    public async Task TheUiWorksInFirefoxAtPhoneWidth()
    {
        if (!File.Exists("/usr/bin/firefox-esr")) Assert.Fail("Firefox ESR is missing: run test/run.sh, which installs it.");
        // Files of 5 s, so one is closed (and played) within the flow.
        await using var server = await EdgeServer.Start(Config, null, "--Recording:Mode", "continuous",
            "--Recording:SegmentSeconds", "5");
        var output = await RunPages(server, "firefox-flow.mjs", ["--experimental-websocket", "--no-warnings"]);
        CollectionAssert.Contains(output, "ok");
        Assert.IsTrue(File.Exists(Path.Combine(Screenshots, "firefox-phone.png")));
    }

    [TestMethod]
    public async Task LiveH264PlaysInChromiumWithoutStallsAndShowsFramesWithin300MsAt720p30()
    {
        if (!File.Exists("/usr/bin/chromium")) Assert.Fail("Chromium is missing: run test/run.sh, which installs it.");
        await using var server = await EdgeServer.Start(EdgeServer.ConfigWithUsers("""
            "Camera":{"Source":"testpattern","Width":1280,"Height":720,"Fps":30},
            """));
        var (lines, output) = await PlayFor(server, "live-h264.mjs", "playwright-core", 30);
        string[] mse = lines.Single(l => l.StartsWith("LATENCY mse ", StringComparison.Ordinal)).Split(' ');
        Assert.IsLessThanOrEqualTo(300, int.Parse(mse[3]), "p95 of capture to display over MSE: " + output);
        Assert.IsTrue(lines.Any(l => l.StartsWith("LATENCY mjpeg ", StringComparison.Ordinal)), output);
    }

    [TestMethod]
    public async Task HlsJsPlaysTheHlsStreamInChromiumWithoutAStall()
    {
        if (!File.Exists("/usr/bin/chromium")) Assert.Fail("Chromium is missing: run test/run.sh, which installs it.");
        await using var server = await EdgeServer.Start(EdgeServer.ConfigWithUsers("""
            "Camera":{"Source":"testpattern","Width":640,"Height":360,"Fps":25},
            """));
        var (lines, output) = await PlayFor(server, "hls.mjs", "hls.js", 15);
        CollectionAssert.Contains(lines, "SIZE 640x360", output);
    }

    [TestMethod]
    public async Task ChromiumPlaysH264OverWebRtcThroughWhepAt720p30WithinTheDelayGoalAndEndsTheSession()
    {
        if (!File.Exists("/usr/bin/chromium")) Assert.Fail("Chromium is missing: run test/run.sh, which installs it.");
        await using var server = await EdgeServer.Start(EdgeServer.ConfigWithUsers("""
            "Camera":{"Source":"testpattern","Width":1280,"Height":720,"Fps":30},
            """));
        var (lines, output) = await PlayFor(server, "whep.mjs", "playwright-core", 20);
        CollectionAssert.Contains(lines, "CODEC video/H264", output);
        CollectionAssert.Contains(lines, "SIZE 1280x720", output);
        CollectionAssert.Contains(lines, "DELETE 200", output);
        Assert.IsGreaterThanOrEqualTo(540, int.Parse(lines.Single(l => l.StartsWith("FRAMES ", StringComparison.Ordinal))[7..]), output);
        string[] delay = lines.Single(l => l.StartsWith("DELAY_MS ", StringComparison.Ordinal)).Split(' ');
        Assert.IsGreaterThanOrEqualTo(300, int.Parse(delay[3]), "frames with a capture time: " + output);
        Assert.IsLessThanOrEqualTo(150, int.Parse(delay[2]), "p95 of capture to display over WebRTC (the issue's goal): " + output);
    }

    // Runs a player script for so many seconds: it ran to "ok", its video's clock kept up with the wall clock,
    // the picture never stood still for long. Its lines and output, for the caller's own checks.
    private static async Task<(string[] Lines, string Output)> PlayFor(EdgeServer server, string player, string package, int seconds)
    {
        string script = Repository.NodeScript("ui", player, package);
        var run = await Tools.Run("node", [script, server.BaseUri.ToString(), EdgeServer.User, EdgeServer.Password, seconds.ToString()],
            TimeSpan.FromSeconds(seconds + 90));
        Assert.AreEqual(0, run.ExitCode, run.Output + run.Error);
        var lines = run.Output.Split('\n');
        Console.WriteLine(string.Join("\n", lines.Where(l => l.Length > 0 && l != "ok")));
        string[] played = lines.Single(l => l.StartsWith("PLAYED ", StringComparison.Ordinal)).Split(' ');
        Assert.IsGreaterThanOrEqualTo(seconds * 0.95, double.Parse(played[1], System.Globalization.CultureInfo.InvariantCulture),
            "the video's clock kept up with the wall clock: " + run.Output);
        Assert.IsLessThanOrEqualTo(500, int.Parse(played[2]), "the picture never stood still for more than half a second: " + run.Output);
        CollectionAssert.Contains(lines, "ok");
        return (lines, run.Output);
    }

    [TestMethod]
    public async Task AnOperatorDrawsMotionZonesOverTheLivePictureAndSeesTheBoxMove()
    {
        if (!File.Exists("/usr/bin/chromium")) Assert.Fail("Chromium is missing: run test/run.sh, which installs it.");
        await using var server = await EdgeServer.Start(EdgeServer.ConfigWithUsers("""
            "Camera":{"Source":"testpattern","Width":320,"Height":240,"Fps":25},
            """));
        string script = Repository.NodeScript("ui", "motion.mjs", "playwright-core");
        var run = await Tools.Run("node", [script, server.BaseUri.ToString(), EdgeServer.User, EdgeServer.Password],
            TimeSpan.FromSeconds(90));
        Assert.AreEqual(0, run.ExitCode, run.Output + run.Error);
        StringAssert.Contains(run.Output, "ok");
        var settings = (await server.Call("motion.get")).GetProperty("result");
        Assert.IsTrue(settings.GetProperty("enabled").GetBoolean());
        string[] zones = [.. settings.GetProperty("zones").EnumerateArray().Select(r => r.GetString()!)];
        CollectionAssert.AreEqual(new[] { "........" }.Concat(Enumerable.Repeat("########", 7)).ToArray(), zones, run.Output);
        Assert.IsGreaterThanOrEqualTo(1, (await server.Call("events.list", new { kind = "motion.start" })).GetProperty("result")
            .GetProperty("events").GetArrayLength(), "the motion the page showed was journaled");
    }

    [TestMethod]
    public async Task AnOperatorRecordsStopsAndPlaysTheRecordingInChromium()
    {
        if (!File.Exists("/usr/bin/chromium")) Assert.Fail("Chromium is missing: run test/run.sh, which installs it.");
        await using var server = await EdgeServer.Start(Config);
        string script = Repository.NodeScript("ui", "recordings.mjs", "playwright-core");
        var run = await Tools.Run("node", [script, server.BaseUri.ToString(), EdgeServer.User, EdgeServer.Password],
            TimeSpan.FromSeconds(120));
        Assert.AreEqual(0, run.ExitCode, run.Output + run.Error);
        StringAssert.Contains(run.Output, "PLAYED 160x120");
        StringAssert.Contains(run.Output, "ok");
        var events = (await server.Call("events.list", new { kind = "recording." })).GetProperty("result").GetProperty("events");
        Assert.AreEqual(3, events.GetArrayLength(), "started, stopped, and the file: " + events);
    }

    [TestMethod]
    public async Task WithACameraThatSendsNothingThePageLoadsAtOnceAndSaysNoSignal()
    {
        if (!File.Exists("/usr/bin/chromium")) Assert.Fail("Chromium is missing: run test/run.sh, which installs it.");
        await using var server = await EdgeServer.Start(EdgeServer.ConfigWithUsers("""
            "Camera":{"Source":"pipe","Format":"mjpeg","Command":"exec sleep 600"},
            """));
        var output = await RunPages(server, "no-signal.mjs", []);
        CollectionAssert.Contains(output, "ok");
    }

    [TestMethod]
    public async Task OnAutoTheLiveViewFallsBackToMjpegWhenTheCameraOrTheBrowserHasNoH264()
    {
        if (!File.Exists("/usr/bin/chromium")) Assert.Fail("Chromium is missing: run test/run.sh, which installs it.");
        string script = Repository.NodeScript("ui", "live-fallback.mjs", "playwright-core");
        foreach (var (encoder, mode) in new[] { ("none", ""), ("auto", "no-browser-h264") })
        {
            await using var server = await EdgeServer.Start(Config.Replace("\"MaxViewers\":1},",
                $"\"MaxViewers\":1}},\"H264\":{{\"Encoder\":\"{encoder}\"}},", StringComparison.Ordinal));
            var run = await Tools.Run("node", [script, server.BaseUri.ToString(), EdgeServer.User, EdgeServer.Password, mode],
                TimeSpan.FromSeconds(90));
            Assert.AreEqual(0, run.ExitCode, $"encoder {encoder} {mode}: {run.Output}{run.Error}");
            StringAssert.Contains(run.Output, "ok");
        }
    }

    [TestMethod]
    public async Task EachRoleSeesOnlyWhatItMayUseAndMeetsNoRefusal()
    {
        if (!File.Exists("/usr/bin/chromium")) Assert.Fail("Chromium is missing: run test/run.sh, which installs it.");
        // The test user "admin" has no role: an admin, as before roles.
        string hash = Edge.Auth.PasswordHash.Create(EdgeServer.Password, 1000);
        string users = string.Join(",",
            new[] { "viewer", "operator" }.Select(role => $$$"""{"Name":"{{{role}}}","Role":"{{{role}}}","PasswordHash":"{{{hash}}}"}"""));
        string config = Config.Replace("\"Auth\":{\"Users\":[", $"\"Auth\":{{\"Users\":[{users},", StringComparison.Ordinal);
        await using var server = await EdgeServer.Start(config);
        // One finished recording, so the page lists it (with Delete for operators only).
        Assert.IsTrue((await server.Call("recording.start")).TryGetProperty("result", out _));
        await Task.Delay(2000);
        Assert.IsTrue((await server.Call("recording.stop")).TryGetProperty("result", out _));
        await Eventually.True(async () => (await server.Call("recordings.list")).GetProperty("result").GetProperty("recordings")
            .EnumerateArray().Any(r => !r.GetProperty("open").GetBoolean()), "a finished recording", 10_000);
        string script = Repository.NodeScript("ui", "roles.mjs", "playwright-core");
        var run = await Tools.Run("node", [script, server.BaseUri.ToString(), EdgeServer.Password], TimeSpan.FromSeconds(120));
        Assert.AreEqual(0, run.ExitCode, run.Output + run.Error);
        StringAssert.Contains(run.Output, "ok");
    }

    private static string Screenshots => Path.Combine(AppContext.BaseDirectory, "ui-screenshots");

    // Runs a page script; does what its lines ask, checks the server behind what the pages showed, answers "go".
    private static async Task<List<string>> RunPages(EdgeServer server, string scriptName, string[] nodeOptions)
    {
        string script = Repository.NodeScript("ui", scriptName, "playwright-core");
        var start = new ProcessStartInfo("node",
            [.. nodeOptions, script, server.BaseUri.ToString(), EdgeServer.User, EdgeServer.Password, Screenshots])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(script),
        };
        using var browser = Process.Start(start)!;
        var errors = browser.StandardError.ReadToEndAsync();
        var output = new List<string>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        while (await browser.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            output.Add(line);
            string[] words = line.Split(' ');
            switch (words[0])
            {
                case "FPS":
                    var settings = (await server.Call("camera.get")).GetProperty("result");
                    Assert.AreEqual(int.Parse(words[1]), settings.GetProperty("fps").GetInt32(), "the fps set in the page is the server's");
                    break;
                case "RELAY":
                    Assert.AreEqual(1, (await GpioFixtures.StateOf(server, "gpio.ir_cut"))!.Value.GetInt32());
                    Assert.AreEqual(1, GpioFixtures.Memory(server).Level(GpioFixtures.Chip, GpioFixtures.IrCut),
                        "the line itself was driven");
                    break;
                case "SET":
                    var set = await server.Call("gpio.set", new { name = words[1], value = int.Parse(words[2]) });
                    Assert.IsTrue(set.TryGetProperty("result", out _), set.ToString());
                    break;
                case "BUTTON":
                    // The door shows as a light; a falling edge of the button saves a snapshot.
                    int level = int.Parse(words[1]);
                    GpioFixtures.Memory(server).SetLevel(GpioFixtures.Chip, Door, level);
                    GpioFixtures.Memory(server).SetLevel(GpioFixtures.Chip, GpioFixtures.Button, level);
                    break;
                default:
                    continue;
            }
            await browser.StandardInput.WriteLineAsync("go");
            await browser.StandardInput.FlushAsync();
        }
        await browser.WaitForExitAsync(timeout.Token);
        Assert.AreEqual(0, browser.ExitCode, $"{string.Join("\n", output)}\n{await errors}");
        return output;
    }
}
