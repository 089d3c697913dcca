using Edge.Runtime;
using Edge.Tests.Support;

namespace Edge.Tests.Runtime;

[TestClass]
public sealed class StartupGarbageTests
{
    [TestMethod]
    public async Task OneFullCollectionRunsOnThePoolOnceTheDelayHasPassedAndIsLogged()
    {
        var log = new TestLog();
        var clock = new ManualClock();
        using var loop = new EventLoop(log.CreateLogger("loop"), clock);
        using var pool = new WorkerPool(1, 4);
        using var timer = StartupGarbage.CollectLater(loop, pool, TimeSpan.FromSeconds(15), log.CreateLogger("gc"));
        int before = GC.CollectionCount(GC.MaxGeneration);

        clock.Advance(TimeSpan.FromSeconds(14));
        await Task.Delay(200);
        Assert.IsFalse(log.Lines.Any(l => l.Contains("Start-up garbage")), "not before the delay");

        clock.Advance(TimeSpan.FromSeconds(1));
        await Eventually.True(() => log.Lines.Any(l => l.Contains("Start-up garbage collected: heap")), "the collection's log line");
        Assert.IsGreaterThan(before, GC.CollectionCount(GC.MaxGeneration), "a full collection ran");

        clock.Advance(TimeSpan.FromMinutes(5));
        await Task.Delay(200);
        Assert.AreEqual(1, log.Lines.Count(l => l.Contains("Start-up garbage")), "once");
    }
}
