using Edge.Runtime;
using Edge.Tests.Support;
using Microsoft.Extensions.Logging;

namespace Edge.Tests.Runtime;

[TestClass]
public sealed class TaskGroupTests
{
    [TestMethod]
    public async Task TheGroupEndsOnlyWhenEveryChildEnded()
    {
        var group = new TaskGroup(TaskGroupPolicy.FailFast);
        var first = new TaskCompletionSource();
        var second = new TaskCompletionSource();
        group.Spawn(_ => first.Task);
        group.Spawn(_ => second.Task);
        var all = group.WhenAll();
        first.SetResult();
        await Task.Delay(20);
        Assert.IsFalse(all.IsCompleted);
        second.SetResult();
        await all.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.ThrowsExactly<InvalidOperationException>(() => group.Spawn(_ => Task.CompletedTask), "a closed group takes no children");
    }

    [TestMethod]
    public async Task FailFastCancelsTheSiblingsAndRethrowsTheFirstFailure()
    {
        var group = new TaskGroup(TaskGroupPolicy.FailFast);
        var siblingCanceled = new TaskCompletionSource();
        group.Spawn(async ct =>
        {
            try { await Task.Delay(Timeout.Infinite, ct); }
            finally { siblingCanceled.SetResult(); }
        });
        group.Spawn(async _ =>
        {
            await Task.Yield();
            throw new InvalidDataException("first");
        });
        var error = await Assert.ThrowsExactlyAsync<InvalidDataException>(() => group.WhenAll().WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.AreEqual("first", error.Message);
        Assert.IsTrue(siblingCanceled.Task.IsCompleted);
        Assert.IsTrue(group.Token.IsCancellationRequested);
    }

    [TestMethod]
    public async Task CollectErrorsLetsEveryChildFinishAndThrowsAllFailures()
    {
        var group = new TaskGroup(TaskGroupPolicy.CollectErrors);
        bool siblingFinished = false;
        group.Spawn(_ => throw new InvalidDataException("a"));
        group.Spawn(async _ => { await Task.Delay(20); throw new FormatException("b"); });
        group.Spawn(async ct => { await Task.Delay(40, ct); siblingFinished = true; });
        var error = await Assert.ThrowsExactlyAsync<AggregateException>(() => group.WhenAll());
        Assert.HasCount(2, error.InnerExceptions);
        Assert.IsTrue(siblingFinished, "siblings were not cancelled");
    }

    [TestMethod]
    public async Task IgnoreErrorsLogsFailuresAndCompletes()
    {
        var log = new TestLog();
        var group = new TaskGroup(TaskGroupPolicy.IgnoreErrors, log.CreateLogger("group"));
        group.Spawn(_ => throw new InvalidDataException("ignored"), "worker");
        group.Spawn(_ => Task.CompletedTask);
        await group.WhenAll();
        Assert.IsTrue(log.Lines.Any(l => l.Contains("worker") && l.Contains("ignored")));
    }

    [TestMethod]
    public async Task CancellingTheGroupOrItsParentCancelsEveryChild()
    {
        using var parent = new CancellationTokenSource();
        var group = new TaskGroup(TaskGroupPolicy.FailFast, parent: parent.Token);
        int canceled = 0;
        for (int i = 0; i < 3; i++)
            group.Spawn(async ct =>
            {
                try { await Task.Delay(Timeout.Infinite, ct); }
                catch (OperationCanceledException) { Interlocked.Increment(ref canceled); throw; }
            });
        parent.Cancel();
        await group.WhenAll().WaitAsync(TimeSpan.FromSeconds(5));
        Assert.AreEqual(3, canceled);

        var direct = new TaskGroup(TaskGroupPolicy.CollectErrors);
        var child = new TaskCompletionSource();
        direct.Spawn(async ct => { await Task.Delay(Timeout.Infinite, ct).ContinueWith(_ => child.SetResult()); });
        direct.Cancel();
        await direct.WhenAll().WaitAsync(TimeSpan.FromSeconds(5));
        Assert.IsTrue(child.Task.IsCompleted);
    }
}
