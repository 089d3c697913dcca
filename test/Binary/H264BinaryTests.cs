using System.Net;
using System.Text.RegularExpressions;
using Edge.Tests.Support;

namespace Edge.Tests.Binary;

/// <summary>
/// The published binary on a board without OpenH264 (hidden from it in a mount namespace of its own: needs root, as CI runs).
/// </summary>
[TestClass]
public sealed class H264BinaryTests
{
    private static ScratchFolder _dir = null!;

    [ClassInitialize]
    public static async Task Publish(TestContext _)
    {
        await PublishedBinary.Ensure();
        _dir = new ScratchFolder("edge-h264-binary-");
    }

    [ClassCleanup]
    public static void Cleanup() => _dir.Dispose();

    // Execs its arguments with every libopenh264.so.7 on the machine replaced by /dev/null (so dlopen fails), for that process only.
    private static string WithoutOpenH264()
    {
        string script = _dir.NewPath("without-openh264.sh");
        File.WriteAllText(script, """
            #!/bin/sh
            exec unshare --mount sh -c 'for lib in /usr/lib/*/libopenh264.so.7 /usr/lib/libopenh264.so.7; do
              [ -e "$lib" ] && mount --bind /dev/null "$lib"; done; exec "$@"' sh "$@"
            """);
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return script;
    }

    private static int RtspPort(EdgeProcess edge)
        => int.Parse(Regex.Match(Log(edge).First(l => l.Contains("RTSP listening on port")), @"port (\d+)").Groups[1].Value);

    private static List<string> Log(EdgeProcess edge) => [.. edge.Stdout, .. edge.Stderr];

    [TestMethod]
    public async Task WithoutOpenH264TheBinaryServesJpegAndSaysOnceWhyThereIsNoH264()
    {
        if (Environment.UserName != "root") Assert.Fail("A mount namespace needs root (CI runs the tests as root).");
        await using var edge = await EdgeProcess.StartUnder(WithoutOpenH264(), "--config", _dir.NewConfig(EdgeServer.DefaultConfig),
            "--data-dir", _dir.NewPath("data"));
        await Eventually.True(() => Log(edge).Any(l => l.Contains("RTSP listening on port")), "RTSP listening");
        await Eventually.True(() => Log(edge).Any(l => l.Contains("H.264: no V4L2 mem-to-mem H.264 encoder was found, and OpenH264 " +
            "(libopenh264.so.7) is not installed (Debian: apt install libopenh264-7); H.264 only from cameras that deliver it")),
            "the warning at start");
        using var http = new HttpClient { BaseAddress = edge.BaseUri };
        Assert.AreEqual(HttpStatusCode.OK, (await http.GetAsync("/readyz")).StatusCode,
            "no encoder is not a fault when H264:Encoder is auto");

        int port = RtspPort(edge);
        using var client = await RtspClient.Connect(port);
        Assert.AreEqual(404, (await client.Request("DESCRIBE", $"rtsp://127.0.0.1:{port}/h264")).Status);
        Assert.AreEqual(200, (await client.Request("DESCRIBE", $"rtsp://127.0.0.1:{port}/stream")).Status, "JPEG plays as before");
        await Eventually.True(() => Log(edge).Any(l => l.Contains("/h264") && l.Contains("no H.264 encoder")), "why /h264 was refused");
        Assert.AreEqual(1, Log(edge).Count(l => l.Contains("H.264: no V4L2")), "said once: " + string.Join("\n", Log(edge)));
    }

    [TestMethod]
    public async Task NamingOpenH264WhenItIsMissingIsAFaultThatReadyzShowsAndTheSupervisorRetries()
    {
        if (Environment.UserName != "root") Assert.Fail("A mount namespace needs root (CI runs the tests as root).");
        await using var edge = await EdgeProcess.StartUnder(WithoutOpenH264(), "--config", _dir.NewConfig(EdgeServer.DefaultConfig),
            "--data-dir", _dir.NewPath("data"), "--H264:Encoder", "openh264");
        using var http = new HttpClient { BaseAddress = edge.BaseUri };
        string ready = "";
        await Eventually.True(async () =>
        {
            var response = await http.GetAsync("/readyz");
            ready = await response.Content.ReadAsStringAsync();
            return response.StatusCode == HttpStatusCode.ServiceUnavailable && ready.Contains("\"h264\"")
                && ready.Contains("libopenh264.so.7) is not installed");
        }, "/readyz naming the h264 service and why", 10000);
        // The supervisor tries again (the library may be installed meanwhile): a second failure after its back-off.
        await Eventually.True(() => Log(edge).Count(l => l.Contains("h264") && l.Contains("is not installed") && l.Contains("failed")) >= 2,
            "a retry", 10000);
        using var client = await RtspClient.Connect(RtspPort(edge));
        Assert.AreEqual(404, (await client.Request("DESCRIBE", $"rtsp://127.0.0.1:{RtspPort(edge)}/h264")).Status);
    }

    [TestMethod]
    public async Task WithoutOpenH264AnH264CameraStillStreamsH264AndSaysWhyItHasNoJpeg()
    {
        if (Environment.UserName != "root") Assert.Fail("A mount namespace needs root (CI runs the tests as root).");
        string config = EdgeServer.ConfigWithUsers("""
            "Camera":{"Source":"pipe","Format":"h264","Width":320,"Height":240,"Fps":25,
              "Command":"exec ffmpeg -nostdin -v error -re -f lavfi -i testsrc=size=320x240:rate=25 -c:v libx264 -g 25 -f h264 -"},
            """);
        await using var edge = await EdgeProcess.StartUnder(WithoutOpenH264(), "--config", _dir.NewConfig(config),
            "--data-dir", _dir.NewPath("data"));
        using var http = new HttpClient { BaseAddress = edge.BaseUri };
        http.DefaultRequestHeaders.Authorization = EdgeServer.BasicAuth(EdgeServer.User, EdgeServer.Password);
        using var snapshot = await http.GetAsync("/snapshot.jpg");
        Assert.AreEqual(HttpStatusCode.ServiceUnavailable, snapshot.StatusCode);
        StringAssert.Contains(await snapshot.Content.ReadAsStringAsync(), "cannot decode it for MJPEG and snapshots (OpenH264");
        await Eventually.True(() => Log(edge).Any(l => l.Contains("RTSP listening on port")), "RTSP listening");
        using var client = await RtspClient.Connect(RtspPort(edge));
        Assert.AreEqual(404, (await client.Request("DESCRIBE", $"rtsp://127.0.0.1:{RtspPort(edge)}/stream")).Status);
        Assert.AreEqual(200, (await client.Request("DESCRIBE", $"rtsp://127.0.0.1:{RtspPort(edge)}/h264")).Status, "passed through");
    }

    [TestMethod]
    [TestCategory(EdgeProcess.NativeOnly)] // the arm64 binary under qemu-user has no arm64 OpenH264 to load
    public async Task OpenH264IsLoadedOnlyOnceSomeoneWatchesH264()
    {
        await using var edge = await EdgeProcess.Start("--config", _dir.NewConfig(EdgeServer.DefaultConfig), "--data-dir",
            _dir.NewPath("data"));
        await Eventually.True(() => Log(edge).Any(l => l.Contains("RTSP listening on port")), "RTSP listening");
        // Loading it maps libstdc++ too: about 1.4 MB of RSS an idle Edge does without.
        Assert.IsFalse(File.ReadAllText($"/proc/{edge.Pid}/maps").Contains("libopenh264"), "OpenH264 mapped while nobody watches H.264");
        using var client = await RtspClient.Connect(RtspPort(edge));
        var describe = await client.Request("DESCRIBE", $"rtsp://127.0.0.1:{RtspPort(edge)}/h264");
        Assert.AreEqual(200, describe.Status);
        StringAssert.Contains(describe.Body, "a=rtpmap:96 H264/90000");
        Assert.IsTrue(File.ReadAllText($"/proc/{edge.Pid}/maps").Contains("libopenh264"), "OpenH264 loaded for the viewer");
    }
}
