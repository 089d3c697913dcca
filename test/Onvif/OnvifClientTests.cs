using System.Net;
using System.Text.Json;
using Edge.Tests.Support;

namespace Edge.Tests.Onvif;

/// <summary>The npm <c>onvif</c> client (as NVR software talks ONVIF) against a real Edge; test/run.sh installs it.</summary>
[TestClass]
public sealed class OnvifClientTests
{
    private static string Script() => Repository.NodeScript("Onvif", "client.mjs", "onvif");

    private static Task<EdgeServer> Start() => EdgeServer.Start(EdgeServer.ConfigWithUsers(Soap.TestPatternCamera, devicePassword: true));

    [TestMethod]
    public async Task TheOnvifClientFindsTheProfileWhoseStreamAndSnapshotUrisWork()
    {
        string script = Script();
        await using var server = await Start();
        await Edge.Tests.Streaming.RtspTests.Port(server);
        var run = await Tools.Run("node",
            [script, server.BaseUri.Host, server.BaseUri.Port.ToString(), EdgeServer.User, EdgeServer.Password], TimeSpan.FromSeconds(60));
        Assert.AreEqual(0, run.ExitCode, run.Error + run.Output);
        var result = JsonDocument.Parse(run.Output).RootElement;
        Assert.AreEqual("Edge", result.GetProperty("info").GetProperty("manufacturer").GetString());
        Assert.AreEqual(Program.Version, result.GetProperty("info").GetProperty("firmwareVersion").GetString());
        // H.264 first (Home Assistant takes only H.264 profiles), with what the stream really is; then JPEG.
        var h264 = result.GetProperty("profiles")[0];
        Assert.AreEqual("profile_h264", h264.GetProperty("token").GetString());
        Assert.AreEqual("H264", h264.GetProperty("encoding").GetString());
        // Soap.TestPatternCamera: 320×240 at 10 fps.
        Assert.AreEqual(320, h264.GetProperty("resolution").GetProperty("width").GetInt32());
        Assert.AreEqual(240, h264.GetProperty("resolution").GetProperty("height").GetInt32());
        Assert.AreEqual(10, h264.GetProperty("rateControl").GetProperty("frameRateLimit").GetInt32());
        Assert.AreEqual(2000, h264.GetProperty("rateControl").GetProperty("bitrateLimit").GetInt32(), "H264:Bitrate's default");
        Assert.AreEqual(20, h264.GetProperty("h264").GetProperty("govLength").GetInt32(), "H264:KeyframeSeconds' default, 2 s");
        Assert.AreEqual("Baseline", h264.GetProperty("h264").GetProperty("H264Profile").GetString());
        Assert.AreEqual("profile_jpeg", result.GetProperty("profiles")[1].GetProperty("token").GetString());
        Assert.AreEqual("JPEG", result.GetProperty("profiles")[1].GetProperty("encoding").GetString());

        var snapshot = new Uri(result.GetProperty("snapshotUri").GetString()!);
        using var jpeg = await server.Http.GetAsync(snapshot);
        Assert.AreEqual(HttpStatusCode.OK, jpeg.StatusCode);
        Assert.AreEqual("image/jpeg", jpeg.Content.Headers.ContentType?.MediaType);
        byte[] image = await jpeg.Content.ReadAsByteArrayAsync();
        Assert.IsTrue(image is [0xFF, 0xD8, ..], "a JPEG");

        var stream = new Uri(result.GetProperty("streamUri").GetString()!);
        Assert.AreEqual("rtsp", stream.Scheme);
        string withCredentials =
            $"rtsp://{EdgeServer.User}:{Uri.EscapeDataString(EdgeServer.Password)}@{stream.Authority}{stream.AbsolutePath}";
        var decode = await Tools.Run("ffmpeg",
            ["-nostdin", "-v", "error", "-rtsp_transport", "tcp", "-i", withCredentials, "-frames:v", "10", "-f", "null", "-"]);
        Assert.AreEqual(0, decode.ExitCode, decode.Error);
        var probe = await Tools.Run("ffprobe",
            ["-v", "error", "-rtsp_transport", "tcp", "-show_entries", "stream=codec_name", "-of", "csv=p=0", withCredentials]);
        Assert.AreEqual("h264", probe.Output.Trim(), "the default profile's stream is H.264: " + probe.Error);
    }

    [TestMethod]
    public async Task AWrongPasswordMakesTheClientFailCleanlyAndIsLogged()
    {
        string script = Script();
        await using var server = await Start();
        var run = await Tools.Run("node", [script, server.BaseUri.Host, server.BaseUri.Port.ToString(), EdgeServer.User, "wrong"],
            TimeSpan.FromSeconds(60));
        Assert.AreNotEqual(0, run.ExitCode, run.Output);
        StringAssert.Contains(run.Error, "onvif client:");
        Assert.IsTrue(server.Log.Lines.Any(l => l.Contains("Authentication failed for user admin")), string.Join("\n", server.Log.Lines));
    }
}
