using Edge.Gpio;
using Edge.Tests.Support;
using static Edge.Tests.Gpio.GpioFixtures;

namespace Edge.Tests.Gpio;

[TestClass]
public sealed class GpioInputTests
{
    [TestMethod]
    public async Task AnEdgeIsPushedToSubscribersJournaledAndSavesASnapshot()
    {
        await using var server = await EdgeServer.Start(Config());
        var memory = Memory(server);
        var events = Events(server);
        await WaitForState(server, "gpio.button", 1); // pulled up, not pressed
        using var client = await server.Connect();
        await client.Call("state.subscribe", new { prefixes = new[] { "gpio." } });

        memory.SetLevel(Chip, Button, 0); // pressed: a falling edge

        await WaitForPush(client, "gpio.button", 0);
        await Eventually.True(() => events.Count == 1, "the event reaches the sink");
        Assert.IsTrue(events.TryPeek(out var edge));
        Assert.AreEqual(("button", "falling", 0), (edge.Pin, edge.Edge, edge.Value));
        await Eventually.True(() => server.Log.Lines.Any(line => line.Contains("GPIO button: falling edge")), "Program logs the event");
        await Eventually.True(async () =>
            (await server.Call("events.list", new { kind = "gpio." })).GetProperty("result").GetProperty("events").EnumerateArray()
                .Any(e => e.GetProperty("data").GetProperty("pin").GetString() == "button"
                    && e.GetProperty("data").GetProperty("edge").GetString() == "falling"),
            "the edge is in the journal");
        string files = Path.Combine(server.DataDir, "files");
        await Eventually.True(() => Directory.Exists(files) && Directory.GetFiles(files, "snapshot-*.jpg").Length == 1, "a snapshot file",
            10_000);
        byte[] jpeg = await File.ReadAllBytesAsync(Directory.GetFiles(files, "snapshot-*.jpg")[0]);
        Assert.AreEqual((0xFF, 0xD8), (jpeg[0], jpeg[1]), "starts with SOI");
        Assert.AreEqual((0xFF, 0xD9), (jpeg[^2], jpeg[^1]), "ends with EOI");
        StringAssert.Matches(Path.GetFileName(Directory.GetFiles(files)[0]),
            new System.Text.RegularExpressions.Regex(@"^snapshot-\d{8}T\d{6}\.\d{3}Z\.jpg$"));

        memory.SetLevel(Chip, Button, 1); // released: rising, which this pin does not report
        await WaitForPush(client, "gpio.button", 1);
        Assert.HasCount(1, events, "a rising edge changes the state only");
        Assert.HasCount(1, Directory.GetFiles(files, "snapshot-*.jpg"));
    }

    [TestMethod]
    public async Task ASnapshotThatWouldEatIntoTheReservedSpaceIsNotWrittenAndTheDataDirectoryIsReportedFailing()
    {
        await using var server =
            await EdgeServer.Start(Config(moreSections: $"\"Files\":{{\"ReserveBytes\":{EdgeServer.MoreThanFreeSpace()}}},"));
        await WaitForState(server, "gpio.button", 1);

        Memory(server).SetLevel(Chip, Button, 0);

        await Eventually.True(() =>
            server.Log.Lines.Any(line => line.Contains("Cannot write the snapshots") && line.Contains("not enough free space")),
            "the refusal is logged with its cause", 10_000);
        string files = Path.Combine(server.DataDir, "files");
        Assert.IsFalse(Directory.Exists(files) && Directory.EnumerateFiles(files).Any(), "nothing was written");
        Assert.IsFalse(server.Log.Lines.Any(line => line.Contains("GPIO action failed")), "logged once, by the storage health");
        using var ready = await server.Http.GetAsync("/readyz");
        Assert.AreEqual(System.Net.HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        StringAssert.Contains(await ready.Content.ReadAsStringAsync(), "snapshots");
    }

    [TestMethod]
    public async Task GpioSimulateDrivesTheInMemoryLineLikeAButtonAndRefusesWhatNoWireCouldDo()
    {
        await using var server = await EdgeServer.Start(Config());
        await WaitForState(server, "gpio.button", 1);
        Assert.IsTrue((await server.Call("gpio.simulate", new { line = Button, level = 0 })).TryGetProperty("result", out _));
        await WaitForState(server, "gpio.button", 0);
        await Eventually.True(async () =>
            (await server.Call("events.list", new { kind = "gpio.edge" })).GetProperty("result").GetProperty("events").GetArrayLength() > 0,
            "the edge is journaled");
        foreach (var bad in new object[] { new { line = 999, level = 1 }, new { line = Button, level = 7 },
            new { chip = "gpiochip9", line = 1, level = 1 } })
            Assert.AreEqual(-32602, (await server.Call("gpio.simulate", bad)).GetProperty("error").GetProperty("code").GetInt32(),
                bad.ToString());
    }

    [TestMethod]
    public async Task ActiveLowInvertsValuesAndEdges()
    {
        await using var server = await EdgeServer.Start(Config("""
            ,{"name":"door","line":5,"direction":"input","activeLow":true,"edge":"rising"}
            """));
        var memory = Memory(server);
        var events = Events(server);
        await WaitForState(server, "gpio.door", 1); // level 0, active-low: 1
        memory.SetLevel(Chip, 5, 1);
        await WaitForState(server, "gpio.door", 0);
        memory.SetLevel(Chip, 5, 0);
        await WaitForState(server, "gpio.door", 1);
        await Eventually.True(() => events.Count == 1, "one event");
        Assert.IsTrue(events.TryPeek(out var edge));
        Assert.AreEqual(("door", "rising", 1), (edge.Pin, edge.Edge, edge.Value));
    }

    [TestMethod]
    public async Task AFloodIsBoundedCountedAndTheStateEndsOnTheLastLevel()
    {
        // The manual clock never moves, so the per-second event limit holds for the whole test.
        await using var server = await EdgeServer.Start(Config("""
            ,{"name":"noisy","line":9,"direction":"input","edge":"both"}
            """), new ManualClock());
        var memory = Memory(server);
        var events = Events(server);
        await WaitForState(server, "gpio.noisy", 0);
        for (int i = 0; i < 1000; i++) memory.SetLevel(Chip, 9, 1 - (i & 1));
        memory.SetLevel(Chip, 9, 1);

        await WaitForState(server, "gpio.noisy", 1);
        await Eventually.True(async () =>
        {
            var status = (await StateOf(server, "gpio.status"))!.Value;
            return status.GetProperty("droppedEdges").GetInt64() + status.GetProperty("droppedEvents").GetInt64() > 0;
        }, "gpio.status counts what the flood cost");
        Assert.IsLessThanOrEqualTo(GpioService.MaxEventsPerSecond, events.Count);
    }
}
