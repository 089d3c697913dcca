using System.Text.Json;
using Edge.Runtime;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Tests.Runtime;

[TestClass]
public sealed class WorkKindsTests
{
    private static async Task ResumesTwice()
    {
        await Task.Yield();
        await Task.Yield();
    }

    [TestMethod]
    public async Task TheLoopNamesAsyncMethodsLambdasAndObjectsItRan()
    {
        using var loop = new EventLoop(NullLogger.Instance);
        await loop.InvokeAsync(() => ResumesTwice());
        var counter = new Counter();
        loop.Post(counter.Increment);
        var kinds = await loop.InvokeAsync(() => Task.FromResult(Json(w => loop.WriteBusiestWork(w, 50))));
        var names = kinds.Select(k => k.GetProperty("name").GetString()!).ToList();
        CollectionAssert.Contains(names, "WorkKindsTests.ResumesTwice (async)", string.Join(", ", names));
        CollectionAssert.Contains(names, "WorkKindsTests (lambda)", string.Join(", ", names));
        CollectionAssert.Contains(names, "WorkKindsTests.Counter", string.Join(", ", names));
        Assert.AreEqual(2,
            kinds.Single(k => k.GetProperty("name").GetString() == "WorkKindsTests.ResumesTwice (async)").GetProperty("count").GetInt64(),
            "two resumptions");
        Assert.AreEqual(1, counter.Value);
    }

    [TestMethod]
    public void TheBusiestComeFirstAndTheListIsCut()
    {
        var kinds = new WorkKinds();
        kinds.Record(typeof(string), 10, 0);
        kinds.Record(typeof(int), 30, 0);
        kinds.Record(typeof(long), 20, 0);
        kinds.Record(typeof(string), 1, 0);
        var busiest = Json(w => kinds.WriteBusiest(w, 2));
        Assert.AreEqual("Int32, Int64", string.Join(", ", busiest.Select(k => k.GetProperty("name").GetString())));
        Assert.AreEqual(1, busiest[0].GetProperty("count").GetInt64());
    }

    [TestMethod]
    public async Task EachKindCountsWhatItsItemsAllocated()
    {
        using var loop = new EventLoop(NullLogger.Instance);
        var allocator = new Allocator();
        loop.Post(allocator.Allocate);
        loop.Post(allocator.Allocate);
        var kinds = await loop.InvokeAsync(() => Task.FromResult(Json(w => loop.WriteBusiestWork(w, 50))));
        long allocated = kinds.Single(k => k.GetProperty("name").GetString() == "WorkKindsTests.Allocator")
            .GetProperty("allocatedBytes").GetInt64();
        Assert.IsTrue(allocated is >= 200_000 and < 220_000, $"two arrays of 100,000 bytes, counted {allocated}");
        Assert.HasCount(2, allocator.Arrays);
    }

    private static List<JsonElement> Json(Action<Utf8JsonWriter> write)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer)) write(writer);
        return JsonDocument.Parse(buffer.WrittenMemory).RootElement.EnumerateArray().Select(e => e.Clone()).ToList();
    }

    private sealed class Allocator
    {
        public List<byte[]> Arrays { get; } = [];

        public void Allocate() => Arrays.Add(new byte[100_000]);
    }

    private sealed class Counter
    {
        public int Value { get; private set; }

        public void Increment() => Value++;
    }
}
