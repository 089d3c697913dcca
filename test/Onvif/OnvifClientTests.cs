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
        Assert.AreEqual("profile_jpeg", result.GetProperty("profiles")[0].GetProperty("token").GetString());
        Assert.AreEqual("JPEG", result.GetProperty("profiles")[0].GetProperty("encoding").GetString());

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
