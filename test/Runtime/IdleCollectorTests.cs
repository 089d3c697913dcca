using Edge.Runtime;
using Edge.Tests.Support;

namespace Edge.Tests.Runtime;

[TestClass]
public sealed class IdleCollectorTests
{
    private readonly TestLog _log = new();
    private readonly ManualClock _clock = new();
    private int _gcCount;

    [TestMethod]
    public async Task TheFirstCollectionComes15SecondsAfterStartAndIsLogged()
    {
        using var loop = new EventLoop(_log.CreateLogger("loop"), _clock);
        using var pool = new WorkerPool(1, 4);
        var collector = new IdleCollector(pool, _log.CreateLogger("gc"), () => _gcCount);
        using var timer = collector.Start(loop);
        int fullCollections = GC.CollectionCount(GC.MaxGeneration);

        _clock.Advance(TimeSpan.FromSeconds(14));
        await Task.Delay(200);
        Assert.AreEqual(0, collector.Runs, "not before 15 s");

        _clock.Advance(TimeSpan.FromSeconds(1));
        await Eventually.True(() => collector.Runs == 1, "the first collection");
        Assert.IsGreaterThan(fullCollections, GC.CollectionCount(GC.MaxGeneration), "a full collection ran");
        await Eventually.True(() => _log.Lines.Any(l => l.Contains("Idle collection: heap")), "its log line");
    }

    [TestMethod]
    public async Task AMinuteWithoutAnyCollectionBringsAnotherAndOneWithCollectionsBringsNone()
    {
        using var loop = new EventLoop(_log.CreateLogger("loop"), _clock);
        using var pool = new WorkerPool(1, 4);
        var collector = new IdleCollector(pool, _log.CreateLogger("gc"), () => _gcCount);
        using var timer = collector.Start(loop);
        _clock.Advance(IdleCollector.FirstAfter);
        await Eventually.True(() => collector.Runs == 1, "the first collection");

        _gcCount++; // the GC collected on its own during this minute: Edge is busy
        _clock.Advance(IdleCollector.Interval);
        await Task.Delay(200);
        Assert.AreEqual(1, collector.Runs, "no collection after a minute that had one");

        _clock.Advance(IdleCollector.Interval); // a quiet minute
        await Eventually.True(() => collector.Runs == 2, "a collection after a minute without one");
    }
}
