using System.Net;
using Edge.Camera;
using Edge.Tests.Support;

namespace Edge.Tests.Camera;

[TestClass]
public sealed class MjpegStreamTests
{
    [TestMethod]
    public async Task FfmpegDecodesSixtyFramesOfAnMjpegPipeCameraWithoutAnError()
    {
        await using var server = await EdgeServer.Start(CameraFixtures.MjpegPipe());
        await AssertFfmpegDecodes(server, "/stream.mjpg");
    }

    [TestMethod]
    public async Task FfmpegDecodesSixtyFramesOfARawYuyvPipeCameraEncodedByEdge()
    {
        await using var server = await EdgeServer.Start(CameraFixtures.YuyvPipe());
        await AssertFfmpegDecodes(server, "/stream.mjpg");
    }

    [TestMethod]
    public async Task TheMjpgStreamerAddressesServeTheSameStreamAndSnapshot()
    {
        await using var server = await EdgeServer.Start(CameraFixtures.MjpegPipe());
        await AssertFfmpegDecodes(server, "/?action=stream", frames: 10);
        using var snapshot = await server.Http.GetAsync("/?action=snapshot");
        Assert.AreEqual(HttpStatusCode.OK, snapshot.StatusCode);
        Assert.AreEqual("image/jpeg", snapshot.Content.Headers.ContentType?.MediaType);
    }

    [TestMethod]
    public async Task StreamsKeepTheConfiguredRateForMjpegAndRawCameras()
    {
        foreach (var config in new[] { CameraFixtures.MjpegPipe(), CameraFixtures.YuyvPipe() })
        {
            await using var server = await EdgeServer.Start(config);
            using var reader = await CameraFixtures.OpenStream(server);
            double fps = await CameraFixtures.MeasureFps(reader, TimeSpan.FromSeconds(3));
            Assert.AreEqual(CameraFixtures.Fps, fps, CameraFixtures.Fps * 0.15, $"delivered {fps:0.0} fps");
        }
    }

    [TestMethod]
    public async Task AnFpsCapLimitsOneViewerWithoutSlowingAnother()
    {
        await using var server = await EdgeServer.Start(CameraFixtures.TestPattern());
        using var capped = await CameraFixtures.OpenStream(server, "/stream.mjpg?fps=5");
        using var full = await CameraFixtures.OpenStream(server);
        var cappedFps = CameraFixtures.MeasureFps(capped, TimeSpan.FromSeconds(3));
        var fullFps = CameraFixtures.MeasureFps(full, TimeSpan.FromSeconds(3));
        Assert.AreEqual(5, await cappedFps, 1.0);
        Assert.AreEqual(CameraFixtures.Fps, await fullFps, CameraFixtures.Fps * 0.15);
    }

    [TestMethod]
    public async Task ABadFpsCapIsRefusedWithFourHundred()
    {
        await using var server = await EdgeServer.Start(CameraFixtures.TestPattern());
        foreach (var bad in new[] { "abc", "0", "-3", "1e9", "NaN" })
        {
            using var response = await server.Http.GetAsync($"/stream.mjpg?fps={bad}");
            Assert.AreEqual(HttpStatusCode.BadRequest, response.StatusCode, bad);
        }
    }

    [TestMethod]
    public async Task StreamAndSnapshotNeedCredentials()
    {
        await using var server = await EdgeServer.Start(CameraFixtures.TestPattern());
        using var anonymous = new HttpClient { BaseAddress = server.BaseUri };
        foreach (var path in new[] { "/stream.mjpg", "/snapshot.jpg", "/?action=stream", "/?action=snapshot" })
        {
            using var response = await anonymous.GetAsync(path, HttpCompletionOption.ResponseHeadersRead);
            Assert.AreEqual(HttpStatusCode.Unauthorized, response.StatusCode, path);
        }
    }

    [TestMethod]
    public async Task EachPartCarriesTheJpegAndItsLength()
    {
        await using var server = await EdgeServer.Start(CameraFixtures.TestPattern());
        using var reader = await CameraFixtures.OpenStream(server);
        for (int i = 0; i < 5; i++)
        {
            var jpeg = await reader.Next();
            Assert.IsNotNull(jpeg);
            Assert.AreEqual(JpegScan.Complete, JpegScanner.Check(jpeg, out var scan), scan.Problem);
            Assert.AreEqual(jpeg.Length, scan.End, "nothing after the EOI");
            Assert.AreEqual((CameraFixtures.Width, CameraFixtures.Height), (scan.Width, scan.Height));
        }
    }

    internal static async Task AssertFfmpegDecodes(EdgeServer server, string path, int frames = 60)
    {
        string url = CameraFixtures.UrlWithCredentials(server, path);
        var decode = await Tools.Run("ffmpeg",
            ["-nostdin", "-v", "error", "-f", "mpjpeg", "-i", url, "-frames:v", frames.ToString(), "-f", "framemd5", "-"]);
        Assert.AreEqual(0, decode.ExitCode, decode.Error);
        Assert.AreEqual("", decode.Error.Trim(), "ffmpeg reported decode errors");
        int decoded = decode.Output.Split('\n').Count(line => line.Length > 0 && !line.StartsWith('#'));
        Assert.AreEqual(frames, decoded);
        var probe = await Tools.Run("ffprobe",
            ["-v", "error", "-f", "mpjpeg", "-select_streams", "v:0", "-show_entries", "stream=codec_name,width,height", "-of", "csv=p=0",
                url]);
        Assert.AreEqual(0, probe.ExitCode, probe.Error);
        Assert.AreEqual($"mjpeg,{CameraFixtures.Width},{CameraFixtures.Height}", probe.Output.Trim());
        var snapshot = await Tools.Run("ffmpeg",
            ["-nostdin", "-v", "error", "-i", CameraFixtures.UrlWithCredentials(server, "/snapshot.jpg"), "-f", "framemd5", "-"]);
        Assert.AreEqual(0, snapshot.ExitCode, snapshot.Error);
        Assert.AreEqual("", snapshot.Error.Trim(), "ffmpeg reported decode errors in the snapshot");
        Assert.AreEqual(1, snapshot.Output.Split('\n').Count(line => line.Length > 0 && !line.StartsWith('#')));
    }
}
