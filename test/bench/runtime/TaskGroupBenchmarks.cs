using BenchmarkDotNet.Attributes;
using Edge.Runtime;

namespace Edge.Bench;

/// <summary>
/// Spawn + join per child: a group spawns <see cref="Children"/> children and waits for them all.
/// Children that have already finished (the group's bookkeeping alone), and children still pending
/// when spawned that finish together afterwards (the continuation each one registers). The baseline is
/// what a plain <see cref="Task.WhenAll(Task[])"/> over the same tasks costs.
/// </summary>
[MemoryDiagnoser]
public class TaskGroupBenchmarks
{
    private static readonly Func<CancellationToken, Task> Finished = static _ => Task.CompletedTask;
    private readonly Task[] _tasks = new Task[10_000];

    [Params(100, 10_000)]
    public int Children;

    [Benchmark(Description = "TaskGroup spawn+join, finished children")]
    public Task GroupFinished()
    {
        var group = new TaskGroup(TaskGroupPolicy.IgnoreErrors);
        for (int i = 0; i < Children; i++) group.Spawn(Finished);
        return group.WhenAll();
    }

    [Benchmark(Description = "TaskGroup spawn+join, pending children")]
    public Task GroupPending()
    {
        var release = new TaskCompletionSource();
        var group = new TaskGroup(TaskGroupPolicy.IgnoreErrors);
        Func<CancellationToken, Task> pending = _ => release.Task;
        for (int i = 0; i < Children; i++) group.Spawn(pending);
        release.SetResult();
        return group.WhenAll();
    }

    [Benchmark(Baseline = true, Description = "Task.WhenAll, pending tasks")]
    public Task WhenAllPending()
    {
        var release = new TaskCompletionSource();
        Func<CancellationToken, Task> pending = _ => release.Task;
        for (int i = 0; i < Children; i++) _tasks[i] = pending(default);
        var all = Task.WhenAll((ReadOnlySpan<Task>)_tasks.AsSpan(0, Children));
        release.SetResult();
        return all;
    }
}
