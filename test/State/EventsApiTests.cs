using Edge.Tests.Support;

namespace Edge.Tests.State;

/// <summary><c>events.add</c> and <c>events.list</c> over the API of a real server.</summary>
[TestClass]
public sealed class EventsApiTests
{
    [TestMethod]
    public async Task AClientEventIsNumberedAndListedAfterTheServersOwnStartEvent()
    {
        await using var server = await EdgeServer.Start();
        var added = await server.Call("events.add", new { kind = "user.door", data = new { open = true } });
        long seq = added.GetProperty("result").GetInt64();
        await Eventually.True(async () =>
            (await server.Call("events.list", new { kind = "edge." })).GetProperty("result").GetProperty("events").GetArrayLength() > 0,
            "edge.started is on record");

        var page = (await server.Call("events.list")).GetProperty("result");
        var events = page.GetProperty("events").EnumerateArray().ToList();
        var door = events.Single(e => e.GetProperty("kind").GetString() == "user.door");
        Assert.AreEqual(seq, door.GetProperty("seq").GetInt64());
        Assert.IsTrue(door.GetProperty("data").GetProperty("open").GetBoolean());
        var started = events.Single(e => e.GetProperty("kind").GetString() == "edge.started");
        Assert.AreEqual(Program.Version, started.GetProperty("data").GetString());
        Assert.IsTrue(events.Select(e => e.GetProperty("seq").GetInt64())
            .SequenceEqual(events.Select(e => e.GetProperty("seq").GetInt64()).OrderDescending()), "newest first");
    }

    [TestMethod]
    public async Task BadKindsOversizedDataAndBadPagingAreRefusedAndRecordNothing()
    {
        await using var server = await EdgeServer.Start();
        foreach (var bad in new object[]
        {
            new { kind = "edge.started" },
            new { kind = "user." },
            new { kind = "user.a b" },
            new { kind = "user." + new string('x', 60) },
        })
        {
            var reply = await server.Call("events.add", bad);
            Assert.AreEqual(-32602, reply.GetProperty("error").GetProperty("code").GetInt32(), reply.ToString());
        }
        var big = await server.Call("events.add", new { kind = "user.big", data = new string('x', 5000) });
        Assert.AreEqual(-32002, big.GetProperty("error").GetProperty("code").GetInt32(), big.ToString());
        foreach (var paging in new object[] { new { limit = 0 }, new { limit = 1001 }, new { before = -1 }, new { before = "x" } })
            Assert.AreEqual(-32602, (await server.Call("events.list", paging)).GetProperty("error").GetProperty("code").GetInt32());
        var users = (await server.Call("events.list", new { kind = "user." })).GetProperty("result").GetProperty("events");
        Assert.AreEqual(0, users.GetArrayLength());
    }
}
