using BenchmarkDotNet.Attributes;
using Edge.Runtime;

namespace Edge.Bench;

/// <summary>
/// Worker pool submit → result: one item awaited (latency: both hops), and a batch submitted at once
/// and awaited together (throughput). Beside <see cref="Task.Run{TResult}(Func{TResult})"/>, the pool Edge
/// does not use for CPU work because it is unbounded and shared with Kestrel.
/// </summary>
[MemoryDiagnoser]
public class PoolBenchmarks
{
    private const int Batch = 1_000;
    private static readonly Func<CancellationToken, int> Work = static _ => 1;
    private static readonly Func<int> PlainWork = static () => 1;
    private readonly Task<int>[] _tasks = new Task<int>[Batch];
    private WorkerPool _pool = null!;

    [GlobalSetup]
    public void Setup() => _pool = new WorkerPool(Environment.ProcessorCount, Batch);

    [GlobalCleanup]
    public void Cleanup() => _pool.Dispose();

    [Benchmark(Baseline = true, Description = "WorkerPool.Submit → await result")]
    public Task<int> PoolOne() => _pool.Submit(Work, PoolFullMode.Wait);

    [Benchmark(Description = "Task.Run → await result")]
    public Task<int> TaskRunOne() => Task.Run(PlainWork);

    [Benchmark(OperationsPerInvoke = Batch, Description = "WorkerPool.Submit, batch of 1000")]
    public Task PoolBatch()
    {
        for (int i = 0; i < Batch; i++) _tasks[i] = _pool.Submit(Work, PoolFullMode.Wait);
        return Task.WhenAll(_tasks);
    }

    [Benchmark(OperationsPerInvoke = Batch, Description = "Task.Run, batch of 1000")]
    public Task TaskRunBatch()
    {
        for (int i = 0; i < Batch; i++) _tasks[i] = Task.Run(PlainWork);
        return Task.WhenAll(_tasks);
    }
}
