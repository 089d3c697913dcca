using Edge.Runtime;
using Edge.Tests.Support;

namespace Edge.Tests.Runtime;

[TestClass]
public sealed class EventLoopTests
{
    private readonly TestLog _log = new();

    [TestMethod]
    public async Task PostedItemsRunInFifoOrderOnTheLoopThread()
    {
        using var loop = new EventLoop(_log.CreateLogger("loop"));
        var order = new List<int>();
        var threads = new HashSet<int>();
        var done = new TaskCompletionSource();
        for (int i = 0; i < 1000; i++)
        {
            int n = i;
            loop.Post(() =>
            {
                order.Add(n);
                threads.Add(Environment.CurrentManagedThreadId);
                Assert.IsTrue(loop.IsOnLoop);
                if (n == 999) done.SetResult();
            });
        }
        await done.Task.WaitAsync(TimeSpan.FromSeconds(5));
        CollectionAssert.AreEqual(Enumerable.Range(0, 1000).ToList(), order);
        Assert.HasCount(1, threads);
    }

    [TestMethod]
    public async Task AThrowingItemIsLoggedAndTheLoopKeepsRunning()
    {
        using var loop = new EventLoop(_log.CreateLogger("loop"));
        var ran = new TaskCompletionSource();
        loop.Post(() => throw new InvalidOperationException("boom"));
        loop.Post(() => ran.SetResult());
        await ran.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.AreEqual(1, loop.GetMetrics().Failures);
        Assert.IsTrue(_log.Lines.Any(l => l.StartsWith("Error") && l.Contains("boom")), string.Join("\n", _log.Lines));
    }

    [TestMethod]
    public async Task SwitchToMovesTheCallerOntoTheLoopAndLaterAwaitsStayThere()
    {
        using var loop = new EventLoop(_log.CreateLogger("loop"));
        await Task.Run(async () =>
        {
            Assert.IsFalse(loop.IsOnLoop);
            await loop.SwitchTo();
            Assert.IsTrue(loop.IsOnLoop);
            await Task.Delay(10);
            Assert.IsTrue(loop.IsOnLoop, "await of a timer resumes on the loop");
            await Task.Run(() => { });
            Assert.IsTrue(loop.IsOnLoop, "await of thread-pool work resumes on the loop");
        });
    }

    [TestMethod]
    public async Task InvokeAsyncRunsOnTheLoopButResumesTheCallerOffTheLoop()
    {
        using var loop = new EventLoop(_log.CreateLogger("loop"));
        bool insideOnLoop = false, afterAwaitOnLoop = false;
        int result = await loop.InvokeAsync(async () =>
        {
            insideOnLoop = loop.IsOnLoop;
            await Task.Yield();
            afterAwaitOnLoop = loop.IsOnLoop;
            return 42;
        });
        Assert.AreEqual(42, result);
        Assert.IsTrue(insideOnLoop);
        Assert.IsTrue(afterAwaitOnLoop);
        Assert.IsFalse(loop.IsOnLoop, "the caller continues on the thread pool");
        Assert.IsNull(SynchronizationContext.Current);
    }

    [TestMethod]
    public async Task InvokeAsyncPassesOnExceptions()
    {
        using var loop = new EventLoop(_log.CreateLogger("loop"));
        await Assert.ThrowsExactlyAsync<FormatException>(() => loop.InvokeAsync(async () =>
        {
            await Task.Yield();
            throw new FormatException("bad");
        }));
        await Assert.ThrowsExactlyAsync<FormatException>(() => loop.InvokeAsync(() => throw new FormatException("sync")));
    }

    [TestMethod]
    public void SendBlocksUntilTheCallbackRanAndRethrowsItsException()
    {
        using var loop = new EventLoop(_log.CreateLogger("loop"));
        bool ranOnLoop = false;
        loop.Send(_ => ranOnLoop = loop.IsOnLoop, null);
        Assert.IsTrue(ranOnLoop);
        Assert.ThrowsExactly<ArgumentException>(() => loop.Send(_ => throw new ArgumentException("x"), null));
    }

    [TestMethod]
    public async Task DelayCompletesOnTheLoopWhenItsClockReachesTheDueTime()
    {
        var clock = new ManualClock();
        using var loop = new EventLoop(_log.CreateLogger("loop"), clock);
        var waited = loop.InvokeAsync(async () =>
        {
            await loop.Delay(TimeSpan.FromSeconds(10));
            return loop.IsOnLoop;
        });
        await Eventually.True(() => clock.ArmedTimers == 1, "the delay armed its timer");
        clock.Advance(TimeSpan.FromSeconds(9.9));
        await Task.Delay(50);
        Assert.IsFalse(waited.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(0.1));
        Assert.IsTrue(await waited.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [TestMethod]
    public async Task DelayIsCanceledByItsToken()
    {
        var clock = new ManualClock();
        using var loop = new EventLoop(_log.CreateLogger("loop"), clock);
        using var cts = new CancellationTokenSource();
        var waited = loop.InvokeAsync(() => loop.Delay(TimeSpan.FromHours(1), cts.Token));
        await Eventually.True(() => clock.ArmedTimers == 1, "the delay armed its timer");
        cts.Cancel();
        await Assert.ThrowsAsync<OperationCanceledException>(() => waited.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.AreEqual(0, clock.ArmedTimers, "the timer is released");
    }

    [TestMethod]
    public async Task TimerCallbacksRunOnTheLoopEveryPeriod()
    {
        var clock = new ManualClock();
        using var loop = new EventLoop(_log.CreateLogger("loop"), clock);
        int calls = 0;
        bool allOnLoop = true;
        using var timer = loop.CreateTimer(() => { calls++; allOnLoop &= loop.IsOnLoop; }, TimeSpan.FromSeconds(1),
            TimeSpan.FromSeconds(1));
        clock.Advance(TimeSpan.FromSeconds(3.5));
        await Eventually.True(() => Volatile.Read(ref calls) == 3, "three ticks ran");
        Assert.IsTrue(allOnLoop);
    }

    [TestMethod]
    public async Task MetricsCountItemsQueueDepthAndLag()
    {
        using var loop = new EventLoop(_log.CreateLogger("loop"));
        using var gate = new ManualResetEventSlim();
        loop.Post(() => gate.Wait());
        for (int i = 0; i < 10; i++) loop.Post(() => { });
        await Eventually.True(() => loop.GetMetrics().QueueDepth == 10, "ten items wait behind the blocked one");
        await Task.Delay(20);
        gate.Set();
        await Eventually.True(() => loop.GetMetrics().ItemsRun == 11, "all items ran");
        var metrics = loop.GetMetrics();
        Assert.AreEqual(0, metrics.QueueDepth);
        Assert.AreEqual(11, metrics.Lag.Count);
        Assert.IsGreaterThanOrEqualTo(15, metrics.Lag.MaxMs, "items queued behind a 20 ms item waited about that long");
    }
}
