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
    public async Task TheInspectorListsTheLiveChildrenOldestFirstWhicheverEndFirst()
    {
        var group = new TaskGroup(TaskGroupPolicy.IgnoreErrors, name: "g");
        var ends = Enumerable.Range(0, 5).Select(_ => new TaskCompletionSource()).ToArray();
        for (int i = 0; i < ends.Length; i++)
        {
            var end = ends[i];
            group.Spawn(_ => end.Task, $"c{i}");
        }
        group.Spawn(_ => Task.CompletedTask, "finished at once");
        CollectionAssert.AreEqual(new[] { "c0", "c1", "c2", "c3", "c4" }, Children(group));
        ends[2].SetResult(); // the middle
        ends[0].SetResult(); // the first
        ends[4].SetResult(); // the last
        CollectionAssert.AreEqual(new[] { "c1", "c3" }, Children(group));
        ends[3].SetResult();
        ends[1].SetResult();
        CollectionAssert.AreEqual(Array.Empty<string>(), Children(group));
        await group.WhenAll().WaitAsync(TimeSpan.FromSeconds(5));
    }

    private static string[] Children(TaskGroup group)
    {
        using var buffer = new MemoryStream();
        using (var w = new System.Text.Json.Utf8JsonWriter(buffer)) group.WriteTo(w);
        using var json = System.Text.Json.JsonDocument.Parse(buffer.ToArray());
        return [.. json.RootElement.GetProperty("children").EnumerateArray().Select(c => c.GetProperty("name").GetString()!)];
    }

    [TestMethod]
    public async Task AChildFailingOnTheLoopCancelsItsSiblingsOnTheLoop()
    {
        using var loop = new EventLoop(new TestLog().CreateLogger("loop"));
        var cancelledOnLoop = new TaskCompletionSource<bool>();
        await loop.InvokeAsync(() =>
        {
            var group = new TaskGroup(TaskGroupPolicy.FailFast);
            group.Spawn(ct =>
            {
                ct.Register(() => cancelledOnLoop.TrySetResult(loop.IsOnLoop));
                return Task.Delay(Timeout.Infinite, ct);
            });
            group.Spawn(async _ =>
            {
                await Task.Yield(); // resumes on the loop, then fails there
                throw new InvalidDataException("child");
            });
            _ = group.WhenAll();
            return Task.CompletedTask;
        });
        Assert.IsTrue(await cancelledOnLoop.Task.WaitAsync(TimeSpan.FromSeconds(5)), "the group's step ran where the child ended");
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
