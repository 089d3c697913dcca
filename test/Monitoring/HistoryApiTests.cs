using System.Text.Json;
using Edge.Tests.Support;

namespace Edge.Tests.Monitoring;

[TestClass]
public sealed class HistoryApiTests
{
    [TestMethod]
    public async Task SystemHistoryReturnsAPointPerIntervalOfARealServer()
    {
        var clock = new ManualClock();
        await using var server = await EdgeServer.Start(EdgeServer.ConfigWithUsers("\"Monitoring\":{\"IntervalSeconds\":2},"), clock);
        async Task<JsonElement> History() => (await server.Call("system.history")).GetProperty("result");

        var first = await History();
        Assert.AreEqual(2, first.GetProperty("intervalSeconds").GetInt32());
        Assert.AreEqual(450, first.GetProperty("capacity").GetInt32(), "15 minutes at one point every 2 s");
        Assert.AreEqual(1, first.GetProperty("time").GetArrayLength(), "the first sample is taken at start");
        for (int points = 2; points <= 4; points++)
        {
            clock.Advance(TimeSpan.FromSeconds(2));
            await Eventually.True(async () => (await History()).GetProperty("time").GetArrayLength() == points, $"{points} points");
        }
        var history = await History();
        foreach (var column in history.EnumerateObject())
            if (column.Value.ValueKind == JsonValueKind.Array) Assert.AreEqual(4, column.Value.GetArrayLength(), column.Name);
        Assert.IsTrue(history.GetProperty("processRssBytes")[3].GetDouble() > 10e6);
        Assert.AreEqual(JsonValueKind.Number, history.GetProperty("load1")[3].ValueKind);

        var memory = (await server.Call("state.get", new { keys = new[] { "system.memory" } })).GetProperty("result")
            .GetProperty("system.memory");
        Assert.IsTrue(memory.GetProperty("availableBytes").GetInt64() > 0);
    }
}
