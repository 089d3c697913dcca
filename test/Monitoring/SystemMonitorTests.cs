using System.Buffers;
using System.Text.Json;
using Edge.Monitoring;
using Edge.Runtime;
using Edge.State;
using Edge.Tests.Support;
using Microsoft.Extensions.Logging;

namespace Edge.Tests.Monitoring;

[TestClass]
public sealed class SystemMonitorTests
{
    private readonly ManualClock _clock = new();
    private EventLoop _loop = null!;
    private WorkerPool _pool = null!;
    private StateStore _state = null!;
    private string _root = null!;

    [TestInitialize]
    public void Setup()
    {
        _loop = new EventLoop(new TestLog().CreateLogger("loop"), _clock);
        _pool = new WorkerPool(1, 4);
        _state = new StateStore(_loop);
        _root = Samples.Copy("pi");
    }

    [TestCleanup]
    public void Cleanup()
    {
        _loop.Dispose();
        _pool.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    private async Task<SystemMonitor> Start(int intervalSeconds = 1)
    {
        var monitor = new SystemMonitor(_loop, _pool, _state, new SystemSampler(_root, Samples.PageSize),
            new MonitoringSettings { IntervalSeconds = intervalSeconds }, _root);
        await _loop.InvokeAsync(() => { monitor.Start(); return Task.CompletedTask; });
        return monitor;
    }

    // The clock's timers post to the loop; a no-op posted after them runs once they have.
    private async Task Advance(TimeSpan by)
    {
        _clock.Advance(by);
        await _loop.InvokeAsync(() => Task.CompletedTask);
    }

    private Task<JsonElement?> State(string key) => _loop.InvokeAsync(() =>
        Task.FromResult(_state.TryGet(key, out var entry) ? JsonDocument.Parse(entry.Json).RootElement.Clone() : (JsonElement?)null));

    private Task<JsonElement> History(SystemMonitor monitor) => _loop.InvokeAsync(() =>
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer)) monitor.History.WriteTo(writer);
        return Task.FromResult(JsonDocument.Parse(buffer.WrittenMemory).RootElement.Clone());
    });

    [TestMethod]
    public async Task EachIntervalPublishesTheSystemKeys()
    {
        var monitor = await Start();
        Assert.AreEqual(JsonValueKind.Null, (await State("system.cpu"))!.Value.ValueKind, "the first sample has no usage");
        Assert.AreEqual(0.52, (await State("system.load"))!.Value.GetProperty("one").GetDouble());
        var memory = (await State("system.memory"))!.Value;
        Assert.AreEqual(3884376L * 1024, memory.GetProperty("totalBytes").GetInt64());
        Assert.AreEqual(5632L * Samples.PageSize, memory.GetProperty("processRssBytes").GetInt64());
        var zone = (await State("system.temperatures"))!.Value[0];
        Assert.AreEqual("cpu-thermal", zone.GetProperty("type").GetString());
        Assert.AreEqual(52.5, zone.GetProperty("celsius").GetDouble());
        Assert.AreEqual(86400.25, (await State("system.uptime"))!.Value.GetDouble());
        var eth0 = (await State("system.network"))!.Value[0];
        Assert.AreEqual("eth0", eth0.GetProperty("name").GetString());
        Assert.IsFalse(eth0.TryGetProperty("rxBytesPerSecond", out _), "no rate before a second reading");
        // statvfs runs on the pool and publishes when it is back.
        await Eventually.True(async () => await State("system.disk") is { } disk && disk.GetProperty("totalBytes").GetInt64() > 0,
            "system.disk");

        Samples.CopyOver("pi-later", _root);
        await Advance(TimeSpan.FromMilliseconds(999));
        Assert.AreEqual(JsonValueKind.Null, (await State("system.cpu"))!.Value.ValueKind, "not yet a second");
        await Advance(TimeSpan.FromMilliseconds(1));
        var cpu = (await State("system.cpu"))!.Value;
        Assert.AreEqual(43.8, cpu.GetProperty("total").GetDouble());
        Assert.AreEqual("[50,25,0,100]", cpu.GetProperty("cores").GetRawText());
        eth0 = (await State("system.network"))!.Value[0];
        Assert.AreEqual(125_000, eth0.GetProperty("rxBytesPerSecond").GetDouble());
        Assert.AreEqual(250_000, eth0.GetProperty("txBytesPerSecond").GetDouble());

        var history = await History(monitor);
        Assert.AreEqual("[null,43.8]", history.GetProperty("cpuPercent").GetRawText());
        Assert.AreEqual("[52.5,53.1]", history.GetProperty("temperatureCelsius").GetRawText());
        Assert.AreEqual("[null,250000]", history.GetProperty("txBytesPerSecond").GetRawText());
        var disk = history.GetProperty("diskAvailableBytes");
        Assert.AreEqual(JsonValueKind.Null, disk[0].ValueKind, "statvfs had not answered at the first sample");
        Assert.IsGreaterThan(0L, disk[1].GetInt64(), "the last free space read is in the next point");
        Assert.AreEqual(1000, history.GetProperty("time")[1].GetInt64() - history.GetProperty("time")[0].GetInt64());
    }

    [TestMethod]
    public async Task TheHistoryHoldsFifteenMinutesAtTheConfiguredInterval()
    {
        var monitor = await Start(intervalSeconds: 5);
        Assert.AreEqual(180, monitor.History.Capacity);
        // One interval at a time, so every sample runs at its own time.
        for (int i = 0; i < 20 * 12; i++) await Advance(TimeSpan.FromSeconds(5));
        var history = await History(monitor);
        Assert.AreEqual(5, history.GetProperty("intervalSeconds").GetInt32());
        var times = history.GetProperty("time");
        Assert.AreEqual(180, times.GetArrayLength());
        Assert.AreEqual(180, history.GetProperty("load1").GetArrayLength());
        Assert.AreEqual(_clock.GetUtcNow().ToUnixTimeMilliseconds(), times[179].GetInt64(), "the newest point is last");
        Assert.AreEqual(TimeSpan.FromMinutes(15) - TimeSpan.FromSeconds(5),
            TimeSpan.FromMilliseconds(times[179].GetInt64() - times[0].GetInt64()));
    }

    [TestMethod]
    public async Task StoppingEndsTheSampling()
    {
        var monitor = await Start();
        await _loop.InvokeAsync(() => { monitor.Stop(); return Task.CompletedTask; });
        await Advance(TimeSpan.FromSeconds(10));
        Assert.AreEqual(1, await _loop.InvokeAsync(() => Task.FromResult(monitor.History.Count)));
    }
}
