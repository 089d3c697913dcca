using Edge.Runtime;

namespace Edge.Tests.Runtime;

[TestClass]
public sealed class WorkerPoolTests
{
    // One worker blocked on a gate, and one queued item filling the queue.
    private static (WorkerPool Pool, ManualResetEventSlim Gate, Task<int> Blocker, Task<int> Queued) FullPool()
    {
        var pool = new WorkerPool(workers: 1, capacity: 1);
        var gate = new ManualResetEventSlim();
        var started = new ManualResetEventSlim();
        var blocker = pool.Submit(_ => { started.Set(); gate.Wait(); return 1; }, PoolFullMode.Reject);
        Assert.IsTrue(started.Wait(5000));
        var queued = pool.Submit(_ => 2, PoolFullMode.Reject);
        return (pool, gate, blocker, queued);
    }

    [TestMethod]
    public async Task WorkRunsOnAWorkerThreadAndReturnsItsResult()
    {
        using var pool = new WorkerPool(2, 8);
        int caller = Environment.CurrentManagedThreadId;
        var (value, thread) = await pool.Submit(_ => (21 * 2, Thread.CurrentThread.Name), PoolFullMode.Reject);
        Assert.AreEqual(42, value);
        StringAssert.StartsWith(thread, "edge-worker-");
        await Assert.ThrowsExactlyAsync<DivideByZeroException>(() =>
            pool.Submit<int>(_ => throw new DivideByZeroException(), PoolFullMode.Reject));
        await Eventually(() => pool.GetMetrics() is { Completed: 1, Failed: 1 });
    }

    [TestMethod]
    public async Task RejectModeFailsTheNewItemWhenTheQueueIsFull()
    {
        var (pool, gate, blocker, queued) = FullPool();
        using (pool)
        {
            var rejected = pool.Submit(_ => 3, PoolFullMode.Reject);
            await Assert.ThrowsExactlyAsync<PoolFullException>(() => rejected);
            Assert.AreEqual(1, pool.GetMetrics().Rejected);
            gate.Set();
            Assert.AreEqual(1, await blocker);
            Assert.AreEqual(2, await queued);
        }
    }

    [TestMethod]
    public async Task DropOldestModeEvictsTheOldestQueuedItemForTheNewOne()
    {
        var (pool, gate, blocker, queued) = FullPool();
        using (pool)
        {
            var newest = pool.Submit(_ => 3, PoolFullMode.DropOldest);
            await Assert.ThrowsExactlyAsync<WorkDroppedException>(() => queued);
            gate.Set();
            Assert.AreEqual(3, await newest);
            Assert.AreEqual(1, await blocker);
            Assert.AreEqual(1, pool.GetMetrics().Dropped);
        }
    }

    [TestMethod]
    public async Task WaitModeWaitsForRoomThenRuns()
    {
        var (pool, gate, blocker, queued) = FullPool();
        using (pool)
        {
            var waiting = pool.Submit(_ => 3, PoolFullMode.Wait);
            await Task.Delay(50);
            Assert.IsFalse(waiting.IsCompleted, "no room yet");
            gate.Set();
            Assert.AreEqual(3, await waiting.WaitAsync(TimeSpan.FromSeconds(5)));
            Assert.AreEqual(2, await queued);
            Assert.AreEqual(0, pool.GetMetrics().Rejected + pool.GetMetrics().Dropped);
        }
    }

    [TestMethod]
    public async Task CancellingAQueuedItemCancelsItsTaskAndItNeverRuns()
    {
        var (pool, gate, blocker, _) = FullPool();
        using (pool)
        {
            gate.Set();
            await blocker;
            using var block2 = new ManualResetEventSlim();
            var busy = pool.Submit(_ => { block2.Wait(); return 0; }, PoolFullMode.Reject);
            await Eventually(() => pool.GetMetrics().Running == 1);
            using var cts = new CancellationTokenSource();
            bool ran = false;
            var victim = pool.Submit(_ => ran = true, PoolFullMode.Reject, cts.Token);
            cts.Cancel();
            await Assert.ThrowsAsync<OperationCanceledException>(() => victim);
            block2.Set();
            await busy;
            await Eventually(() => pool.GetMetrics().Queued == 0 && pool.GetMetrics().Running == 0);
            Assert.IsFalse(ran);
        }
    }

    [TestMethod]
    public async Task MetricsReportRunningCompletedAndRunTime()
    {
        using var pool = new WorkerPool(2, 16);
        var tasks = Enumerable.Range(0, 10).Select(i => pool.Submit(_ => { Thread.Sleep(2); return i; }, PoolFullMode.Wait)).ToArray();
        await Task.WhenAll(tasks);
        await Eventually(() => pool.GetMetrics().Completed == 10);
        var metrics = pool.GetMetrics();
        Assert.AreEqual(0, metrics.Running);
        Assert.AreEqual(10, metrics.RunTime.Count);
        Assert.IsGreaterThanOrEqualTo(1.5, metrics.RunTime.P50Ms);
    }

    private static Task Eventually(Func<bool> condition) => Support.Eventually.True(condition, "pool metrics");
}
