using System.Text.Json;
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
}
