using System.Net;
using System.Text.Json;
using Edge.Tests.Camera;
using Edge.Tests.Support;

namespace Edge.Tests.Web;

[TestClass]
public sealed class RuntimeInspectorTests
{
    private static async Task<JsonElement> Inspect(EdgeServer server)
    {
        using var response = await server.Http.GetAsync(new Uri(server.BaseUri, "/debug/runtime"));
        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
        Assert.AreEqual("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    [TestMethod]
    public async Task WithoutCredentialsTheReportIsRefused()
    {
        await using var server = await EdgeServer.Start();
        using var anonymous = new HttpClient { BaseAddress = server.BaseUri };
        using var response = await anonymous.GetAsync("/debug/runtime");
        Assert.AreEqual(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [TestMethod]
    public async Task TheReportShowsTheLoopGroupsServicesPoolConnectionsAndProcess()
    {
        await using var server = await EdgeServer.Start(CameraFixtures.TestPattern());
        using var viewer = await CameraFixtures.OpenStream(server);
        Assert.IsNotNull(await viewer.Next());
        using var socket = await server.Connect();
        Assert.AreEqual("pong", (await socket.Call("ping")).GetProperty("result").GetString());
        int rtspPort = await Edge.Tests.Streaming.RtspTests.Port(server);
        using var rtsp = await RtspClient.Connect(rtspPort);
        var setup = await rtsp.Request("SETUP", $"rtsp://127.0.0.1:{rtspPort}/stream/track1",
            headers: ("Transport", "RTP/AVP/TCP;unicast;interleaved=0-1"));
        Assert.AreEqual(200, setup.Status);
        Assert.AreEqual(200,
            (await rtsp.Request("PLAY", $"rtsp://127.0.0.1:{rtspPort}/stream",
                headers: ("Session", setup.Headers["Session"].Split(';')[0]))).Status);
        await rtsp.ReadPackets(5);
        GC.Collect(); // the server runs in this process: its committed bytes are counted from the last collection

        var report = await Inspect(server);

        var loop = report.GetProperty("loop");
        Assert.IsGreaterThan(0, loop.GetProperty("itemsRun").GetInt64());
        Assert.AreEqual(0, loop.GetProperty("failures").GetInt64());
        var histogram = loop.GetProperty("lagHistogram").EnumerateArray().ToList();
        Assert.AreEqual(JsonValueKind.Null, histogram[^1].GetProperty("leMs").ValueKind, "the last bucket holds everything");
        Assert.AreEqual(loop.GetProperty("lag").GetProperty("count").GetInt64(), histogram[^1].GetProperty("count").GetInt64(), 100,
            "the lag histogram counts every item run");
        var busiest = loop.GetProperty("busiest").EnumerateArray().Select(k => k.GetProperty("name").GetString()!).ToList();
        Assert.IsNotEmpty(busiest);
        Assert.IsTrue(busiest.Any(n => n.EndsWith(" (async)", StringComparison.Ordinal)), string.Join(", ", busiest));
        Assert.IsFalse(busiest.Any(n => n.Contains('`') || n.Contains('+')), "names are for people: " + string.Join(", ", busiest));

        var groups = report.GetProperty("taskGroups").EnumerateArray().ToList();
        var supervisor = groups.Single(g => g.GetProperty("name").GetString() == "supervisor");
        var children = supervisor.GetProperty("children").EnumerateArray().Select(c => c.GetProperty("name").GetString()).ToList();
        CollectionAssert.IsSubsetOf(new[] { "camera", "rtsp" }, children);

        var services = report.GetProperty("services").EnumerateArray()
            .ToDictionary(s => s.GetProperty("name").GetString()!, s => s.GetProperty("status").GetString());
        Assert.AreEqual("Running", services["camera"]);

        var pool = report.GetProperty("pool");
        Assert.IsGreaterThan(0, pool.GetProperty("completed").GetInt64(), "frames were encoded");
        Assert.IsGreaterThan(0, pool.GetProperty("waitTime").GetProperty("count").GetInt64());

        var connections = report.GetProperty("connections").EnumerateArray().ToList();
        var kinds = connections.Select(c => c.GetProperty("kind").GetString()).ToList();
        CollectionAssert.IsSubsetOf(new[] { "mjpeg", "websocket", "rtsp", "http" }, kinds, string.Join(", ", kinds));
        var mjpeg = connections.Single(c => c.GetProperty("kind").GetString() == "mjpeg");
        Assert.IsGreaterThan(1000, mjpeg.GetProperty("bytesOut").GetInt64(), "the viewer's frames are counted");
        StringAssert.StartsWith(mjpeg.GetProperty("peer").GetString(), "127.0.0.1:");
        StringAssert.Contains(connections.Single(c => c.GetProperty("kind").GetString() == "websocket").GetProperty("detail").GetString(),
            EdgeServer.User);
        var rtspEntry = connections.Single(c => c.GetProperty("kind").GetString() == "rtsp");
        StringAssert.Contains(rtspEntry.GetProperty("detail").GetString(), "TCP");
        Assert.IsGreaterThan(0, rtspEntry.GetProperty("bytesIn").GetInt64());

        var process = report.GetProperty("process");
        Assert.IsGreaterThan(10e6, process.GetProperty("residentBytes").GetInt64());
        Assert.IsGreaterThan(0, process.GetProperty("gcCommittedBytes").GetInt64());
        Assert.IsGreaterThan(5, process.GetProperty("threads").GetInt32());
        Assert.IsGreaterThan(5, process.GetProperty("openFiles").GetInt32());
    }

    [TestMethod]
    public async Task ClosedConnectionsLeaveTheTable()
    {
        await using var server = await EdgeServer.Start();
        using (var socket = await server.Connect())
            Assert.AreEqual("pong", (await socket.Call("ping")).GetProperty("result").GetString());
        await Eventually.True(async () =>
            !(await Inspect(server)).GetProperty("connections").EnumerateArray().Any(c => c.GetProperty("kind").GetString() == "websocket"),
            "the WebSocket's entry is gone after it closed", 5000);
    }
}
