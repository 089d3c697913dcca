using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;
using Edge.Tests.Support;

namespace Edge.Tests.Camera;

/// <summary>Camera configurations fed by ffmpeg's testsrc, and helpers to watch a server's camera.</summary>
internal static class CameraFixtures
{
    public const int Width = 320, Height = 240, Fps = 25;

    /// <summary>
    /// A pipe camera running ffmpeg in real time; <paramref name="output"/> is ffmpeg's output options,
    /// <paramref name="marker"/> extra options that make the process easy to find (<c>-metadata comment=…</c>).
    /// </summary>
    public static string PipeConfig(string format, string output, int fps = Fps, string marker = "", string extra = "")
        => EdgeServer.ConfigWithUsers($$"""
            "Camera":{"Source":"pipe","Format":"{{format}}","Width":{{Width}},"Height":{{Height}},"Fps":{{fps}},{{extra}}
              "Command":"exec ffmpeg -nostdin -v error -re -f lavfi -i testsrc=size={{Width}}x{{Height}}:rate={{fps}} {{marker}} {{output}} -flush_packets 1 -"},
            """);

    public static string MjpegPipe(int fps = Fps, string marker = "", string extra = "")
        => PipeConfig("mjpeg", "-f mjpeg -q:v 5", fps, marker, extra);

    public static string YuyvPipe(int fps = Fps) => PipeConfig("yuyv", "-f rawvideo -pix_fmt yuyv422", fps);

    public static string TestPattern(int fps = Fps, string extra = "")
        => EdgeServer.ConfigWithUsers($$"""
            "Camera":{"Source":"testpattern","Width":{{Width}},"Height":{{Height}},"Fps":{{fps}}{{extra}}},
            """);

    /// <summary>The stream URL with the test user's credentials in it, as ffmpeg and NVRs take them.</summary>
    public static string UrlWithCredentials(EdgeServer server, string path)
        => $"http://{EdgeServer.User}:{Uri.EscapeDataString(EdgeServer.Password)}@{server.BaseUri.Authority}{path}";

    public static async Task<MjpegReader> OpenStream(EdgeServer server, string path = "/stream.mjpg")
    {
        var response = await server.Http.GetAsync(path, HttpCompletionOption.ResponseHeadersRead);
        if (response.StatusCode != System.Net.HttpStatusCode.OK)
            Assert.Fail($"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        Assert.AreEqual("multipart/x-mixed-replace", response.Content.Headers.ContentType?.MediaType);
        return new MjpegReader(await response.Content.ReadAsStreamAsync());
    }

    /// <summary>Frames read from <paramref name="reader"/> per second over <paramref name="duration"/>, after the first one.</summary>
    public static async Task<double> MeasureFps(MjpegReader reader, TimeSpan duration)
    {
        Assert.IsNotNull(await reader.Next());
        int frames = 0;
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < duration)
        {
            Assert.IsNotNull(await reader.Next(), "the stream ended");
            frames++;
        }
        return frames / watch.Elapsed.TotalSeconds;
    }

    public static async Task<JsonElement> State(EdgeServer server, string key)
    {
        var reply = await server.Call("state.get", new { keys = new[] { key } });
        return reply.GetProperty("result").GetProperty(key);
    }

    public static AuthenticationHeaderValue Credentials => EdgeServer.BasicAuth(EdgeServer.User, EdgeServer.Password);
}
