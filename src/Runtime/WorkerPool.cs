using System.Diagnostics;
using System.Threading.Channels;

namespace Edge.Runtime;

/// <summary>What <see cref="WorkerPool.Submit{T}"/> does when the queue is full.</summary>
public enum PoolFullMode
{
    /// <summary>Wait (asynchronously) for room.</summary>
    Wait,
    /// <summary>Fail the new item at once with <see cref="PoolFullException"/>.</summary>
    Reject,
    /// <summary>Evict the oldest queued item (it fails with <see cref="WorkDroppedException"/>) to make room.</summary>
    DropOldest,
}

/// <summary>
/// A fixed set of dedicated threads for CPU-heavy work, fed by a bounded queue. The event loop hands
/// work here and awaits the result; it never runs such work itself.
/// </summary>
public sealed class WorkerPool : IDisposable
{
    private readonly Channel<PoolItem> _queue;
    private readonly Thread[] _threads;
    private readonly LatencyHistogram _runTime = new();
    private readonly LatencyHistogram _waitTime = new();
    private int _running;
    private volatile bool _disposed;
    private long _completed, _rejected, _dropped, _canceled, _failed;

    public WorkerPool(int workers, int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
        _queue = Channel.CreateBounded<PoolItem>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleWriter = false,
            SingleReader = false,
            AllowSynchronousContinuations = true,
        });
        _threads = new Thread[workers];
        for (int i = 0; i < workers; i++)
        {
            _threads[i] = new Thread(Work) { Name = $"edge-worker-{i}", IsBackground = true };
            _threads[i].Start();
        }
    }

    public int Workers => _threads.Length;

    public int Capacity { get; }

    /// <summary>As <see cref="Submit{T}"/>, for work without a result.</summary>
    public Task Submit(Action<CancellationToken> work, PoolFullMode whenFull, CancellationToken cancellationToken = default)
        => Submit(token =>
        {
            work(token);
            return true;
        }, whenFull, cancellationToken);

    /// <summary>
    /// Queues <paramref name="work"/> for a worker. The task completes with its result (continuations run
    /// asynchronously, never on the worker); canceled if <paramref name="cancellationToken"/> fires while
    /// it is still queued (a running item sees the token itself).
    /// </summary>
    public Task<T> Submit<T>(Func<CancellationToken, T> work, PoolFullMode whenFull, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested) return Task.FromCanceled<T>(cancellationToken);
        if (_disposed) return Task.FromException<T>(new ObjectDisposedException(nameof(WorkerPool)));
        var item = new PoolItem<T>(work, cancellationToken);
        if (_queue.Writer.TryWrite(item))
        {
            item.Queued();
            return item.Task;
        }
        switch (whenFull)
        {
            case PoolFullMode.Reject:
                item.Abandon();
                Interlocked.Increment(ref _rejected);
                return Task.FromException<T>(new PoolFullException(Capacity));
            case PoolFullMode.DropOldest:
                while (!_queue.Writer.TryWrite(item))
                {
                    if (_disposed)
                    {
                        item.Abandon();
                        return Task.FromException<T>(new ObjectDisposedException(nameof(WorkerPool)));
                    }
                    if (_queue.Reader.TryRead(out var oldest) && oldest.Drop()) Interlocked.Increment(ref _dropped);
                }
                item.Queued();
                return item.Task;
            default:
                return WaitForRoom(item);
        }
    }

    private async Task<T> WaitForRoom<T>(PoolItem<T> item)
    {
        await _queue.Writer.WriteAsync(item, item.CancellationToken).ConfigureAwait(false);
        item.Queued();
        return await item.Task.ConfigureAwait(false);
    }

    public WorkerPoolMetrics GetMetrics() => new(
        Workers: Workers,
        Capacity: Capacity,
        Queued: _queue.Reader.Count,
        Running: Volatile.Read(ref _running),
        Completed: Volatile.Read(ref _completed),
        Failed: Volatile.Read(ref _failed),
        Canceled: Volatile.Read(ref _canceled),
        Rejected: Volatile.Read(ref _rejected),
        Dropped: Volatile.Read(ref _dropped),
        RunTime: _runTime.Summary(),
        WaitTime: _waitTime.Summary());

    /// <summary>Takes no more work; queued items still run, then the threads exit.</summary>
    public void Dispose() => Dispose(TimeSpan.FromSeconds(2));

    /// <summary>As <see cref="Dispose()"/>, waiting at most <paramref name="timeout"/> in all for the threads.</summary>
    public void Dispose(TimeSpan timeout)
    {
        _disposed = true;
        _queue.Writer.TryComplete();
        var deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        foreach (var thread in _threads) thread.Join(TimeSpan.FromMilliseconds(Math.Max(0, deadline - Environment.TickCount64)));
    }

    private void Work()
    {
        var reader = _queue.Reader;
        while (true)
        {
            while (reader.TryRead(out var item)) RunOne(item);
            var wait = reader.WaitToReadAsync();
            bool more = wait.IsCompleted ? wait.Result : wait.AsTask().GetAwaiter().GetResult();
            if (!more) return;
        }
    }

    private void RunOne(PoolItem item)
    {
        if (!item.TryStart())
        {
            Interlocked.Increment(ref _canceled);
            return;
        }
        Interlocked.Increment(ref _running);
        long start = Stopwatch.GetTimestamp();
        _waitTime.RecordTicks(start - item.SubmittedAt);
        var outcome = item.Run();
        _runTime.RecordTicks(Stopwatch.GetTimestamp() - start);
        Interlocked.Decrement(ref _running);
        switch (outcome)
        {
            case PoolItem.Outcome.Completed: Interlocked.Increment(ref _completed); break;
            case PoolItem.Outcome.Canceled: Interlocked.Increment(ref _canceled); break;
            default: Interlocked.Increment(ref _failed); break;
        }
    }
}

/// <summary>A snapshot of <see cref="WorkerPool"/> counters.</summary>
/// <param name="WaitTime">From submission to a worker starting the item.</param>
public sealed record WorkerPoolMetrics(int Workers, int Capacity, int Queued, int Running, long Completed, long Failed, long Canceled,
    long Rejected, long Dropped, LatencySummary RunTime, LatencySummary WaitTime);

/// <summary>The pool's queue was full and the caller asked to be rejected.</summary>
public sealed class PoolFullException(int capacity) : Exception($"The worker pool queue is full ({capacity} items).");

/// <summary>The item was evicted from a full queue to make room for newer work.</summary>
public sealed class WorkDroppedException() : Exception("The work item was dropped from a full worker pool queue.");
