using System.Diagnostics;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Edge.Api;
using Edge.Tests.Support;

namespace Edge.Tests.Web;

[TestClass]
public sealed class WebSocketApiTests
{
    [TestMethod]
    public async Task RequestsGetRepliesInOrderOverOneSocket()
    {
        await using var server = await EdgeServer.Start();
        using var client = await server.Connect();
        var ids = new List<int>();
        for (int i = 0; i < 20; i++) ids.Add(await client.Send("ping"));
        for (int i = 0; i < 20; i++)
        {
            var reply = await client.Receive();
            Assert.AreEqual(ids[i], reply.GetProperty("id").GetInt32());
            Assert.AreEqual("pong", reply.GetProperty("result").GetString());
        }
    }

    [TestMethod]
    public async Task MalformedInputGetsErrorRepliesAndTheSocketStaysOpen()
    {
        await using var server = await EdgeServer.Start();
        using var client = await server.Connect();
        await client.SendText("this is not json");
        Assert.AreEqual(ApiErrorCode.ParseError, Replies.ErrorCode(await client.Receive()));
        await client.SendText("""{"id":2,"method":"nope"}""");
        Assert.AreEqual(ApiErrorCode.MethodNotFound, Replies.ErrorCode(await client.Receive()));
        await client.Socket.SendAsync(new byte[] { 1, 2, 3 }, WebSocketMessageType.Binary, true, CancellationToken.None);
        Assert.AreEqual(ApiErrorCode.InvalidRequest, Replies.ErrorCode(await client.Receive()));
        await client.SendText("""{"id":3,"method":"state.set","params":{"key":"user.big","value":""" + "\"" + new string('x', 70_000) +
            "\"}}");
        Assert.AreEqual(ApiErrorCode.LimitExceeded, Replies.ErrorCode(await client.Receive()));
        Assert.AreEqual("pong", (await client.Call("ping")).GetProperty("result").GetString());
        Assert.AreEqual(WebSocketState.Open, client.Socket.State);
    }

    [TestMethod]
    public async Task SubscribersGetCurrentValuesThenEveryChangeOfTheirPrefixesOnly()
    {
        await using var server = await EdgeServer.Start();
        await server.Call("state.set", new { key = "user.a.1", value = "before" });
        using var client = await server.Connect();
        var reply = await client.Call("state.subscribe", new { prefixes = new[] { "user.a." } });
        CollectionAssert.AreEqual(new[] { "user.a." },
            reply.GetProperty("result").GetProperty("prefixes").EnumerateArray().Select(e => e.GetString()).ToArray());
        var initial = await client.Receive();
        Assert.AreEqual("user.a.1", initial.GetProperty("state").GetString());
        Assert.AreEqual("before", initial.GetProperty("value").GetString());

        await server.Call("state.set", new { key = "user.b", value = "other prefix" });
        await server.Call("state.set", new { key = "user.a.2", value = 2 });
        var push = await client.Receive();
        Assert.AreEqual("user.a.2", push.GetProperty("state").GetString(), "user.b was not subscribed");
        Assert.AreEqual(2, push.GetProperty("value").GetInt32());

        await client.Call("state.unsubscribe", new { prefixes = new[] { "user.a." } });
        await server.Call("state.set", new { key = "user.a.3", value = 3 });
        Assert.AreEqual("pong", (await client.Call("ping")).GetProperty("result").GetString());
        await server.Call("state.set", new { key = "user.a.3", value = 4 });
        var next = await client.Call("ping");
        Assert.IsTrue(next.TryGetProperty("result", out _), "no push arrived after unsubscribing");
    }

    [TestMethod]
    public async Task AChangeReachesAllFiftyClientsAndTheFiftyFirstGets503()
    {
        await using var server = await EdgeServer.Start();
        var clients = new List<ApiSocket>();
        try
        {
            for (int i = 0; i < 50; i++)
            {
                var client = await server.Connect();
                clients.Add(client);
                await client.Call("state.subscribe", new { prefixes = new[] { "user.broadcast" } });
            }
            var refused = new ClientWebSocket();
            refused.Options.SetRequestHeader("Authorization", EdgeServer.BasicAuth(EdgeServer.User, EdgeServer.Password).ToString());
            refused.Options.CollectHttpResponseDetails = true;
            await Assert.ThrowsAsync<WebSocketException>(() => refused.ConnectAsync(server.ApiSocketUri, CancellationToken.None));
            Assert.AreEqual(HttpStatusCode.ServiceUnavailable, refused.HttpStatusCode);

            using var http = new HttpClient();
            var upgrade = new HttpRequestMessage(HttpMethod.Get, server.BaseUri + "api");
            upgrade.Headers.Authorization = EdgeServer.BasicAuth(EdgeServer.User, EdgeServer.Password);
            upgrade.Headers.Connection.Add("Upgrade");
            upgrade.Headers.Upgrade.Add(new("websocket"));
            upgrade.Headers.Add("Sec-WebSocket-Version", "13");
            upgrade.Headers.Add("Sec-WebSocket-Key", Convert.ToBase64String(new byte[16]));
            using (var busy = await http.SendAsync(upgrade))
            {
                Assert.AreEqual(HttpStatusCode.ServiceUnavailable, busy.StatusCode);
                Assert.AreEqual("Server busy", await busy.Content.ReadAsStringAsync());
            }

            await server.Call("state.set", new { key = "user.broadcast", value = "hello" });
            foreach (var client in clients)
                Assert.AreEqual("hello", (await client.Receive()).GetProperty("value").GetString());
            Assert.AreEqual("pong", (await clients[^1].Call("ping")).GetProperty("result").GetString(), "the others are still served");

            clients[0].Socket.Abort();
            clients[0].Dispose();
            clients.RemoveAt(0);
            await Eventually.True(() => server.Call("state.get", new { keys = new[] { "system.websocket_clients" } }).Result
                .GetProperty("result").GetProperty("system.websocket_clients").GetInt32() == 49, "a slot was freed");
            clients.Add(await server.Connect());
        }
        finally
        {
            foreach (var client in clients) client.Dispose();
        }
    }

    [TestMethod]
    public async Task AStalledClientDoesNotDelayTheOthersAndIsClosedAfterTheSendTimeout()
    {
        var clock = new ManualClock();
        await using var server = await EdgeServer.Start(EdgeServer.ConfigWithUsers("\"WebSocket\":{\"SendTimeoutSeconds\":5},"), clock);
        // The stalled client subscribes to bulky values and then never reads again.
        using var stalled = await server.Connect(receiveBufferBytes: 4096);
        await stalled.Call("state.subscribe", new { prefixes = new[] { "user.bulk" } });
        var healthy = new List<ApiSocket>();
        for (int i = 0; i < 10; i++)
        {
            var client = await server.Connect();
            await client.Call("state.subscribe", new { prefixes = new[] { "user.tick" } });
            healthy.Add(client);
        }
        using var writer = await server.Connect();
        string bulk = new('b', 4000);
        // 1 MB of new values per round, each round written out before the next one (so coalescing
        // does not shrink it): far more than the client's 4 KB receive buffer and the server's
        // send buffer (≤ 4 MB) hold.
        for (int round = 0; round < 24; round++)
        {
            for (int k = 0; k < 250; k++)
                await writer.Send("state.set", new { key = $"user.bulk{k}", value = bulk + round });
            for (int k = 0; k < 250; k++) await writer.Receive();
            await Task.Delay(20);
        }

        for (int tick = 0; tick < 20; tick++)
        {
            var sent = Stopwatch.StartNew();
            await writer.Call("state.set", new { key = "user.tick", value = tick });
            foreach (var client in healthy)
            {
                var push = await client.Receive();
                Assert.AreEqual(tick, push.GetProperty("value").GetInt32());
            }
            Assert.IsLessThan(50, sent.ElapsedMilliseconds, $"tick {tick} reached every healthy client within 50 ms");
        }

        int ClientCount() => writer.Call("state.get", new { keys = new[] { "system.websocket_clients" } }).Result
            .GetProperty("result").GetProperty("system.websocket_clients").GetInt32();
        Assert.AreEqual(12, ClientCount());
        clock.Advance(TimeSpan.FromSeconds(4));
        await Task.Delay(100);
        Assert.AreEqual(12, ClientCount(), "not yet past the send timeout");
        clock.Advance(TimeSpan.FromSeconds(2));
        await Eventually.True(() => ClientCount() == 11, "the stalled client was disconnected");
        Assert.IsTrue(server.Log.Lines.Any(l => l.Contains("accepted no data")));
        foreach (var client in healthy) client.Dispose();
    }

    [TestMethod]
    public async Task AClientThatSendsRequestsButNeverReadsRepliesIsDroppedAndFreesItsSlot()
    {
        var clock = new ManualClock();
        await using var server = await EdgeServer.Start(EdgeServer.ConfigWithUsers("\"WebSocket\":{\"SendTimeoutSeconds\":5},"), clock);
        using var writer = await server.Connect();
        for (int k = 0; k < 16; k++) await writer.Call("state.set", new { key = $"user.big{k}", value = new string('v', 4000) });
        using var greedy = await server.Connect(receiveBufferBytes: 4096);
        // Each reply is 64 KB: the socket stalls, the reply queue fills, the session stops reading requests.
        var keys = Enumerable.Range(0, 16).Select(k => $"user.big{k}").ToArray();
        for (int i = 0; i < 200; i++) await greedy.Send("state.get", new { keys });
        int ClientCount() => writer.Call("state.get", new { keys = new[] { "system.websocket_clients" } }).Result
            .GetProperty("result").GetProperty("system.websocket_clients").GetInt32();
        Assert.AreEqual(2, ClientCount());
        await Eventually.True(() => { clock.Advance(TimeSpan.FromSeconds(6)); return ClientCount() == 1; },
            "the greedy client was dropped and its slot freed");
    }

    [TestMethod]
    public async Task PendingPushesAreCoalescedPerKeySoASlowReaderGetsTheNewestValue()
    {
        await using var server = await EdgeServer.Start();
        using var slow = await server.Connect();
        await slow.Call("state.subscribe", new { prefixes = new[] { "user.bulk", "user.latest" } });
        using var writer = await server.Connect();
        string bulk = new('b', 4000);
        for (int round = 0; round < 20; round++)
            for (int k = 0; k < 100; k++)
                await writer.Send("state.set", new { key = $"user.bulk{k}", value = bulk + round });
        for (int i = 0; i < 500; i++) await writer.Send("state.set", new { key = "user.latest", value = i });
        for (int i = 0; i < 2500; i++) await writer.Receive();
        // Read everything the slow client was sent: user.latest values never go backwards and end at 499.
        int last = -1, seen = 0;
        while (last != 499)
        {
            var push = await slow.Receive();
            if (push.GetProperty("state").GetString() != "user.latest") continue;
            int value = push.GetProperty("value").GetInt32();
            Assert.IsGreaterThan(last, value);
            last = value;
            seen++;
        }
        Assert.IsLessThan(500, seen, "some intermediate values were replaced while the client lagged");
    }

    [TestMethod]
    public async Task ShutdownClosesEveryClientWithGoingAway1001()
    {
        var server = await EdgeServer.Start();
        var clients = new List<ApiSocket>();
        for (int i = 0; i < 3; i++) clients.Add(await server.Connect());
        var stop = Stopwatch.StartNew();
        var stopping = server.Stop();
        foreach (var client in clients)
        {
            Assert.AreEqual(WebSocketCloseStatus.EndpointUnavailable, await client.ReceiveClose());
            await client.Socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
        }
        await stopping.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.IsLessThan(5000, stop.ElapsedMilliseconds);
        await server.DisposeAsync();
    }

    [TestMethod]
    public async Task ShutdownDoesNotWaitForClientsThatIgnoreTheCloseFrame()
    {
        var server = await EdgeServer.Start();
        using var rude = await server.Connect(); // never reads, never answers the close
        var stop = Stopwatch.StartNew();
        await server.Stop();
        Assert.IsLessThan(5000, stop.ElapsedMilliseconds);
        await server.DisposeAsync();
    }
}
