using System.Globalization;
using System.Net;
using Edge.Tests.Camera;
using Edge.Tests.Support;

namespace Edge.Tests.Monitoring;

[TestClass]
public sealed class MetricsTests
{
    private static async Task<string> Scrape(EdgeServer server, HttpClient? client = null)
    {
        using var response = await (client ?? server.Http).GetAsync(new Uri(server.BaseUri, "/metrics"));
        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
        Assert.AreEqual("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        return await response.Content.ReadAsStringAsync();
    }

    // The value of the sample whose name and labels are exactly <paramref name="series"/>.
    private static double Value(string metrics, string series)
    {
        foreach (string line in metrics.Split('\n'))
            if (line.StartsWith(series + " ", StringComparison.Ordinal))
                return double.Parse(line[(series.Length + 1)..], CultureInfo.InvariantCulture);
        Assert.Fail($"no sample {series} in:\n{metrics}");
        return 0;
    }

    [TestMethod]
    public async Task PromtoolFindsNoProblemAndTheTrafficIsCounted()
    {
        await using var server = await EdgeServer.Start(CameraFixtures.TestPattern());
        using var viewer = await CameraFixtures.OpenStream(server);
        Assert.IsNotNull(await viewer.Next());
        using var socket = await server.Connect();
        Assert.AreEqual("pong", (await socket.Call("ping")).GetProperty("result").GetString());
        Assert.AreEqual("pong", (await server.Call("ping")).GetProperty("result").GetString());

        string metrics = await Scrape(server);
        var check = await Tools.Run("promtool", ["check", "metrics"], input: metrics);
        Assert.AreEqual(0, check.ExitCode, $"promtool: {check.Output}{check.Error}\n{metrics}");
        Assert.AreEqual("", check.Output + check.Error, "promtool reports no lint problems");

        Assert.AreEqual(1, Value(metrics, $"edge_build_info{{version=\"{Program.Version}\"}}"));
        Assert.AreEqual(1, Value(metrics, "edge_connections{kind=\"ws\"}"));
        Assert.AreEqual(1, Value(metrics, "edge_connections{kind=\"mjpeg\"}"));
        Assert.AreEqual(0, Value(metrics, "edge_connections{kind=\"rtsp\"}"));
        Assert.IsGreaterThanOrEqualTo(3, Value(metrics, "edge_connections{kind=\"http\"}"),
            "the viewer's, the WebSocket's and this request's");
        // One ping over the WebSocket, one over POST.
        Assert.AreEqual(2, Value(metrics, "edge_api_request_duration_seconds_count{method=\"ping\"}"));
        Assert.AreEqual(2, Value(metrics, "edge_api_request_duration_seconds_bucket{method=\"ping\",le=\"+Inf\"}"));
        Assert.AreEqual(0, Value(metrics, "edge_api_request_duration_seconds_count{method=\"camera.set\"}"));
        Assert.IsGreaterThanOrEqualTo(1, Value(metrics, "edge_frames_encoded_total"));
        Assert.IsGreaterThanOrEqualTo(1, Value(metrics, "edge_frames_delivered_total{transport=\"mjpeg\"}"));
        Assert.IsGreaterThanOrEqualTo(1, Value(metrics, "edge_encode_duration_seconds_count"));
        Assert.AreEqual(0, Value(metrics, "edge_service_restarts_total{service=\"camera\"}"));
        Assert.AreEqual(1, Value(metrics, "edge_service_up{service=\"camera\"}"));
        Assert.IsGreaterThan(10e6, Value(metrics, "process_resident_memory_bytes"));
        Assert.IsGreaterThanOrEqualTo(1, Value(metrics, "edge_monitor_sample_seconds_count"));
    }

    [TestMethod]
    public async Task MetricsAskForCredentialsUnlessConfiguredNotTo()
    {
        using var anonymous = new HttpClient();
        await using (var server = await EdgeServer.Start())
        {
            using var refused = await anonymous.GetAsync(new Uri(server.BaseUri, "/metrics"));
            Assert.AreEqual(HttpStatusCode.Unauthorized, refused.StatusCode);
        }
        await using (var open = await EdgeServer.Start(EdgeServer.ConfigWithUsers("\"Monitoring\":{\"MetricsRequireAuth\":false},")))
        {
            StringAssert.Contains(await Scrape(open, anonymous), "edge_build_info");
        }
    }
}
