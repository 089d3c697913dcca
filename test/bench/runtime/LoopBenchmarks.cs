using System.Threading.Channels;
using BenchmarkDotNet.Attributes;
using Edge.Runtime;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Bench;

/// <summary>
/// Post→run throughput: one producer posts a batch of empty items and waits until the last has run.
/// Edge's loop beside the thread pool (many consumers, no order) and a bare single-reader channel
/// drained by one thread (the loop without its bookkeeping: lag histogram, busy window, work kinds).
/// </summary>
[MemoryDiagnoser]
public class LoopThroughputBenchmarks
{
    private const int Batch = 10_000;
    private static readonly SendOrPostCallback Nothing = static _ => { };
    private static readonly SendOrPostCallback SetDone = static s => ((ManualResetEventSlim)s!).Set();
    private readonly ManualResetEventSlim _done = new();
    private EventLoop _loop = null!;
    private BareLoop _bare = null!;
    private CountDown _countDown = null!;

    [GlobalSetup]
    public void Setup()
    {
        _loop = new EventLoop(NullLogger.Instance, name: "bench-loop");
        _bare = new BareLoop();
        _countDown = new CountDown(_done);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _loop.Dispose();
        _bare.Dispose();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Batch, Description = "EventLoop.Post → run")]
    public void EventLoopPost()
    {
        _done.Reset();
        for (int i = 1; i < Batch; i++) _loop.Post(Nothing, null);
        _loop.Post(SetDone, _done);
        _done.Wait();
    }

    [Benchmark(OperationsPerInvoke = Batch, Description = "Channel<T> single reader, one thread")]
    public void ChannelSingleReader()
    {
        _done.Reset();
        for (int i = 1; i < Batch; i++) _bare.Post(Nothing, null);
        _bare.Post(SetDone, _done);
        _done.Wait();
    }

    [Benchmark(OperationsPerInvoke = Batch, Description = "ThreadPool.UnsafeQueueUserWorkItem")]
    public void ThreadPoolQueue()
    {
        _done.Reset();
        _countDown.Left = Batch;
        for (int i = 0; i < Batch; i++) ThreadPool.UnsafeQueueUserWorkItem(_countDown, preferLocal: false);
        _done.Wait();
    }

    private sealed class CountDown(ManualResetEventSlim done) : IThreadPoolWorkItem
    {
        public int Left;

        public void Execute()
        {
            if (Interlocked.Decrement(ref Left) == 0) done.Set();
        }
    }
}

/// <summary>
/// Post→run latency of one item when the consumer is idle: the producer posts, the consumer sets an
/// event, the producer wakes. A round trip, so it includes waking both threads.
/// </summary>
public class LoopRoundTripBenchmarks
{
    private static readonly SendOrPostCallback SetDone = static s => ((ManualResetEventSlim)s!).Set();
    private readonly ManualResetEventSlim _done = new();
    private EventLoop _loop = null!;
    private BareLoop _bare = null!;
    private IThreadPoolWorkItem _item = null!;

    [GlobalSetup]
    public void Setup()
    {
        _loop = new EventLoop(NullLogger.Instance, name: "bench-loop");
        _bare = new BareLoop();
        _item = new SetOnRun(_done);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _loop.Dispose();
        _bare.Dispose();
    }

    [Benchmark(Baseline = true, Description = "EventLoop.Post round trip")]
    public void EventLoopRoundTrip()
    {
        _done.Reset();
        _loop.Post(SetDone, _done);
        _done.Wait();
    }

    [Benchmark(Description = "Channel<T> single reader round trip")]
    public void ChannelRoundTrip()
    {
        _done.Reset();
        _bare.Post(SetDone, _done);
        _done.Wait();
    }

    [Benchmark(Description = "ThreadPool.UnsafeQueueUserWorkItem round trip")]
    public void ThreadPoolRoundTrip()
    {
        _done.Reset();
        ThreadPool.UnsafeQueueUserWorkItem(_item, preferLocal: false);
        _done.Wait();
    }

    private sealed class SetOnRun(ManualResetEventSlim done) : IThreadPoolWorkItem
    {
        public void Execute() => done.Set();
    }
}

/// <summary>The event loop's queue and thread with nothing else: an unbounded single-reader channel.</summary>
internal sealed class BareLoop : IDisposable
{
    private readonly Channel<(SendOrPostCallback Callback, object? State)> _queue =
        Channel.CreateUnbounded<(SendOrPostCallback, object?)>(
            new UnboundedChannelOptions { SingleReader = true, AllowSynchronousContinuations = true });

    public BareLoop() => new Thread(Run) { Name = "bench-bare", IsBackground = true }.Start();

    public void Post(SendOrPostCallback callback, object? state) => _queue.Writer.TryWrite((callback, state));

    public void Dispose() => _queue.Writer.TryComplete();

    private void Run()
    {
        var reader = _queue.Reader;
        while (true)
        {
            while (reader.TryRead(out var item)) item.Callback(item.State);
            var wait = reader.WaitToReadAsync();
            if (!(wait.IsCompleted ? wait.Result : wait.AsTask().GetAwaiter().GetResult())) return;
        }
    }
}
