using Edge.Runtime;
using Edge.Tests.Support;

namespace Edge.Tests.Runtime;

[TestClass]
public sealed class HeartbeatTests
{
    private readonly ManualClock _clock = new();
    private readonly TestLog _log = new();

    [TestMethod]
    public async Task EveryBeatRunsOnceASecondOnTheLoopEvenWhenAnotherThrowsAndStopsWhenDisposed()
    {
        using var loop = new EventLoop(_log.CreateLogger("loop"), _clock);
        int first = 0, second = 0;
        bool onLoop = true;
        var (a, b, c) = await loop.InvokeAsync(() => Task.FromResult((
            loop.Heartbeat.Subscribe(() => { first++; onLoop &= loop.IsOnLoop; }),
            loop.Heartbeat.Subscribe(() => throw new InvalidOperationException("a broken beat")),
            loop.Heartbeat.Subscribe(() => second++))));
        for (int i = 1; i <= 3; i++)
        {
            _clock.Advance(TimeSpan.FromSeconds(1));
            await Eventually.True(() => first == i && second == i, $"beat {i}", 5000);
        }
        Assert.IsTrue(onLoop);
        Assert.IsTrue(_log.Lines.Any(l => l.Contains("a broken beat")), "the failure is logged by the loop");
        await loop.InvokeAsync(() => { a.Dispose(); b.Dispose(); return Task.CompletedTask; });
        _clock.Advance(TimeSpan.FromSeconds(1));
        await Eventually.True(() => second == 4, "the beat still subscribed", 5000);
        Assert.AreEqual(3, first, "a disposed beat runs no more");
        c.Dispose();
    }

    [TestMethod]
    public async Task SerialStepsRunInOrderAndAFailureIsOnlyItsCallers()
    {
        var chain = new SerialChain();
        var order = new List<int>();
        var gate = new TaskCompletionSource();
        var first = chain.Then(async n => { await gate.Task; order.Add(n); }, 1);
        var failing = chain.Then<int>(_ => throw new InvalidOperationException("step 2"), 2);
        var third = chain.Then(n => { order.Add(n); return Task.FromResult(n * 10); }, 3);
        Assert.IsFalse(third.IsCompleted, "waits for the first");
        gate.SetResult();
        Assert.AreEqual(30, await third);
        await first;
        await Assert.ThrowsExactlyAsync<InvalidOperationException>(() => failing);
        CollectionAssert.AreEqual(new[] { 1, 3 }, order);
        await chain.Drained();
    }
}
