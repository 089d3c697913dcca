using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Edge.Api;
using Edge.Runtime;
using Edge.Tests.Camera;
using Edge.Tests.Support;

namespace Edge.Tests.Runtime;

/// <summary>
/// Faults injected into a running server (a handler, a worker-pool job and a loop item that throw;
/// a WebSocket client that vanishes in the middle of a frame): each is answered or ended cleanly,
/// logged once with its cause, counted in /metrics, and everyone else is served on.
/// </summary>
[TestClass]
public sealed class FaultTests
{
    private static async Task<string> Metrics(EdgeServer server) => await server.Http.GetStringAsync("/metrics");

    private static async Task AssertOthersServed(EdgeServer server)
    {
        Assert.AreEqual("pong", (await server.Call("ping")).GetProperty("result").GetString());
        using var ready = await server.Http.GetAsync("/readyz");
        Assert.AreEqual(System.Net.HttpStatusCode.OK, ready.StatusCode,
            "a failed call is not a lasting fault: " + await ready.Content.ReadAsStringAsync());
    }

    [TestMethod]
    public async Task AHandlerThatThrowsIsAnsweredAsAnInternalErrorLoggedOnceWithItsStackAndCounted()
    {
        await using var server = await EdgeServer.Start();
        await server.Host.Loop.InvokeAsync(() =>
        {
            server.Host.Dispatcher.Register("fault.throw", Edge.Auth.UserRole.Viewer, ThrowingHandler);
            return Task.CompletedTask;
        });
        var reply = await server.Call("fault.throw");
        Assert.AreEqual(ApiErrorCode.InternalError, reply.GetProperty("error").GetProperty("code").GetInt32());
        Assert.AreEqual("Internal error in 'fault.throw'.", reply.GetProperty("error").GetProperty("message").GetString(),
            "no internals leak to the client");
        var lines = server.Log.Lines.Where(l => l.Contains("API method fault.throw failed: the handler broke")).ToList();
        Assert.HasCount(1, lines);
        StringAssert.Contains(lines[0], nameof(ThrowingHandler), "the log names the method that threw");
        StringAssert.Contains(await Metrics(server), "edge_api_failures_total{method=\"fault.throw\"} 1");
        await AssertOthersServed(server);
    }

    private static ValueTask<ApiResult> ThrowingHandler(ApiCall call) => throw new InvalidOperationException("the handler broke");

    [TestMethod]
    public async Task APoolJobThatThrowsFailsOnlyItsCallerAndTheWorkersGoOnEncoding()
    {
        await using var server = await EdgeServer.Start(CameraFixtures.TestPattern());
        var pool = server.Host.Pool;
        await server.Host.Loop.InvokeAsync(() =>
        {
            server.Host.Dispatcher.Register("fault.pool", Edge.Auth.UserRole.Viewer, async call =>
            {
                await pool.Submit<int>(_ => throw new ArithmeticException("the job broke"), PoolFullMode.Wait);
                return ApiResult.Null;
            });
            return Task.CompletedTask;
        });
        for (int i = 0; i < 5; i++)
            Assert.AreEqual(ApiErrorCode.InternalError,
                (await server.Call("fault.pool")).GetProperty("error").GetProperty("code").GetInt32());
        Assert.HasCount(5, server.Log.Lines.Where(l => l.Contains("API method fault.pool failed: the job broke")).ToList(),
            "one line per failed call, none from the worker");
        StringAssert.Contains(await Metrics(server), "edge_worker_pool_failed_total 5");
        // The same workers still encode the camera's frames.
        using var viewer = await CameraFixtures.OpenStream(server);
        for (int i = 0; i < 5; i++) Assert.IsNotNull(await viewer.Next());
        await AssertOthersServed(server);
    }

    [TestMethod]
    public async Task ALoopItemThatThrowsIsLoggedOnceAndTheLoopGoesOn()
    {
        await using var server = await EdgeServer.Start();
        server.Host.Loop.Post(() => throw new FormatException("the item broke"));
        await Eventually.True(() => server.Log.Lines.Any(l => l.Contains("Event loop work item failed: the item broke")),
            "the failure is logged");
        await AssertOthersServed(server);
        Assert.HasCount(1, server.Log.Lines.Where(l => l.Contains("the item broke")).ToList());
        StringAssert.Contains(await Metrics(server), "edge_event_loop_failures_total 1");
    }

    [TestMethod]
    [DataRow(2, DisplayName = "inside the frame header")]
    [DataRow(40, DisplayName = "inside the payload")]
    public async Task AWebSocketClientThatVanishesMidFrameEndsItsSessionQuietly(int bytesSent)
    {
        await using var server = await EdgeServer.Start();
        using var other = await server.Connect();
        await other.Call("state.subscribe", new { prefix = "" });
        var (socket, response) = await RawWebSocket.Connect(server.BaseUri);
        StringAssert.StartsWith(response, "HTTP/1.1 101");
        await Eventually.True(async () => (await Metrics(server)).Contains("edge_connections{kind=\"ws\"} 2"), "both sessions open");
        // A masked text frame announcing 100 bytes, cut off after bytesSent bytes, then a reset.
        byte[] frame = [0x81, 0x80 | 100, 1, 2, 3, 4, .. Encoding.ASCII.GetBytes(new string('x', 100))];
        await socket.SendRaw(frame[..bytesSent]);
        socket.Reset();
        await Eventually.True(async () => (await Metrics(server)).Contains("edge_connections{kind=\"ws\"} 1"),
            "the vanished client's session ended", 5000);
        Assert.AreEqual("pong", (await other.Call("ping")).GetProperty("result").GetString(), "the other client is served");
        Assert.IsFalse(server.Log.Lines.Any(l => l.StartsWith("Error", StringComparison.Ordinal)
                || l.StartsWith("Critical", StringComparison.Ordinal)),
            "a client going away is no error: " +
                string.Join("\n", server.Log.Lines.Where(l => l.StartsWith("Error", StringComparison.Ordinal))));
        await AssertOthersServed(server);
    }
}
