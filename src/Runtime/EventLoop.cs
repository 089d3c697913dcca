using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Edge.Runtime;

/// <summary>
/// The one thread that runs application logic. Work posted from any thread runs here in FIFO order;
/// while it runs, <see cref="SynchronizationContext.Current"/> is this loop's context, so every
/// <c>await</c> inside resumes here too. A throwing work item is logged and the loop goes on.
/// </summary>
public sealed partial class EventLoop : IDisposable
{
    private readonly Channel<WorkItem> _queue = Channel.CreateUnbounded<WorkItem>(new UnboundedChannelOptions
    {
        SingleReader = true,
        // The only waiter is the loop thread's idle wait: waking it inline saves a thread-pool hop.
        AllowSynchronousContinuations = true,
    });
    private readonly Thread _thread;
    private readonly LoopSynchronizationContext _context;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly LatencyHistogram _lag = new();
    private readonly BusyWindow _busy = new();
    private readonly WorkKinds _kinds = new();
    // The single-reader channel cannot count its items: the queue's depth is the items posted (any
    // thread) less those taken (the loop alone, so a plain store, not an interlocked one, per item).
    private long _posted, _taken;
    private long _itemsRun;
    private long _failures;

    public EventLoop(ILogger logger, TimeProvider? time = null, string name = "edge-loop")
    {
        _logger = logger;
        _time = time ?? TimeProvider.System;
        _context = new LoopSynchronizationContext(this);
        _thread = new Thread(Run) { Name = name, IsBackground = true };
        _thread.Start();
    }

    /// <summary>The clock timers and delays of this loop run on.</summary>
    public TimeProvider Time => _time;

    /// <summary>True when the calling code runs on the loop thread.</summary>
    public bool IsOnLoop => Thread.CurrentThread == _thread;

    /// <summary>Completes when the loop thread has exited after <see cref="Dispose"/>.</summary>
    public Task Completion => _completion.Task;

    /// <summary>Throws unless called on the loop thread; guards state that has no locks.</summary>
    public void VerifyAccess()
    {
        if (!IsOnLoop) throw new InvalidOperationException("This object belongs to the event loop and was used from another thread.");
    }

    /// <summary>Queues a callback; it runs after everything queued before it. Never runs inline.</summary>
    public void Post(SendOrPostCallback callback, object? state)
    {
        if (!TryPost(callback, state)) throw new ObjectDisposedException(nameof(EventLoop), "The event loop has stopped.");
    }

    public void Post(Action action) => Post(static s => ((Action)s!).Invoke(), action);

    /// <summary>Runs the callback on the loop and blocks the caller until it has run (inline when already on the loop).</summary>
    public void Send(SendOrPostCallback callback, object? state)
    {
        if (IsOnLoop)
        {
            callback(state);
            return;
        }
        var call = new SendCall(callback, state);
        Post(static s => ((SendCall)s!).Run(), call);
        call.Done.Wait();
        call.Error?.Throw();
    }

    /// <summary>Awaiting the result moves the caller onto the loop thread (a no-op hop is still queued, keeping FIFO order).</summary>
    public LoopAwaitable SwitchTo() => new(this);

    /// <summary>
    /// Runs <paramref name="func"/> on the loop and returns a task that completes when it has finished.
    /// The returned task resumes its awaiter on the thread pool, never on the loop, so the caller's own
    /// code (Kestrel's, say) does not end up running on the loop thread.
    /// </summary>
    public Task InvokeAsync(Func<Task> func)
    {
        var call = new LoopCall(func);
        Post(static s => ((LoopCall)s!).Start(), call);
        return call.Task;
    }

    /// <inheritdoc cref="InvokeAsync(Func{Task})"/>
    public Task<T> InvokeAsync<T>(Func<Task<T>> func)
    {
        var call = new LoopCall<T>(func);
        Post(static s => ((LoopCall<T>)s!).Start(), call);
        return call.Task;
    }

    /// <summary>A task that completes on the loop after <paramref name="delay"/> of this loop's clock.</summary>
    public Task Delay(TimeSpan delay, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested) return Task.FromCanceled(cancellationToken);
        var wait = new LoopDelay(this, cancellationToken);
        wait.Start(delay);
        return wait.Task;
    }

    /// <summary>
    /// Calls <paramref name="callback"/> on the loop after <paramref name="dueTime"/>, then every
    /// <paramref name="period"/> (<see cref="Timeout.InfiniteTimeSpan"/> for once).
    /// </summary>
    public ITimer CreateTimer(Action callback, TimeSpan dueTime, TimeSpan period)
        => _time.CreateTimer(static s => { var (loop, cb) = ((EventLoop, Action))s!; loop.TryPost(static a => ((Action)a!).Invoke(), cb); },
            (this, callback), dueTime, period);

    /// <summary>The loop's once-a-second beat, shared by every part that needs one.</summary>
    public Heartbeat Heartbeat => _heartbeat ??= new Heartbeat(this);

    private Heartbeat? _heartbeat;

    /// <summary>Post-to-run lag of every item since start (for <c>/metrics</c>); only the loop records into it.</summary>
    public LatencyHistogram Lag => _lag;

    /// <summary>Task groups whose children run on this loop, for the runtime inspector.</summary>
    public TaskGroupRegistry TaskGroups { get; } = new();

    /// <summary>Current counters. Safe to call from any thread.</summary>
    public EventLoopMetrics GetMetrics()
    {
        long now = Stopwatch.GetTimestamp();
        return new(
            QueueDepth: QueueDepth(),
            ItemsRun: Volatile.Read(ref _itemsRun),
            Failures: Volatile.Read(ref _failures),
            Lag: _lag.Summary(),
            BusyRatio: _busy.Ratio(now),
            ItemsPerSecond: _busy.ItemsPerSecond(now));
    }

    /// <summary>
    /// The kinds of work that took the most loop time since start, as JSON (see
    /// <see cref="WorkKinds.WriteBusiest"/>). Loop only.
    /// </summary>
    public void WriteBusiestWork(System.Text.Json.Utf8JsonWriter w, int count)
    {
        VerifyAccess();
        _kinds.WriteBusiest(w, count);
    }

    /// <summary>Stops taking work; what is queued still runs, then the thread exits.</summary>
    public void Dispose() => _queue.Writer.TryComplete();

    /// <summary>
    /// Like <see cref="Post(SendOrPostCallback, object?)"/>, but returns false instead of throwing once the
    /// loop has stopped.
    /// </summary>
    internal bool TryPost(SendOrPostCallback callback, object? state)
    {
        Interlocked.Increment(ref _posted);
        if (_queue.Writer.TryWrite(new WorkItem(callback, state, Stopwatch.GetTimestamp()))) return true;
        Interlocked.Decrement(ref _posted);
        return false;
    }

    private long QueueDepth()
    {
        // Taken first: an item is posted before it is taken, so the difference is never below zero.
        long taken = Volatile.Read(ref _taken);
        return Math.Max(0, Volatile.Read(ref _posted) - taken);
    }

    private void Run()
    {
        SynchronizationContext.SetSynchronizationContext(_context);
        var reader = _queue.Reader;
        try
        {
            while (true)
            {
                // Items run back to back share a clock read and an allocation count: each starts where
                // the one before it ended.
                long mark = Stopwatch.GetTimestamp();
                long allocated = GC.GetAllocatedBytesForCurrentThread();
                while (reader.TryRead(out var item)) Execute(item, ref mark, ref allocated);
                var wait = reader.WaitToReadAsync();
                bool more = wait.IsCompleted ? wait.Result : wait.AsTask().GetAwaiter().GetResult();
                if (!more) break;
            }
        }
        finally
        {
            _completion.TrySetResult();
        }
    }

    private void Execute(in WorkItem item, ref long mark, ref long allocated)
    {
        Volatile.Write(ref _taken, _taken + 1);
        long start = mark;
        _lag.RecordTicksFromOneThread(start - item.PostedAt);
        try
        {
            item.Callback(item.State);
        }
        catch (Exception e)
        {
            Interlocked.Increment(ref _failures);
            Log.ItemFailed(_logger, e, e.Message);
        }
        long end = Stopwatch.GetTimestamp();
        long allocatedAtEnd = GC.GetAllocatedBytesForCurrentThread();
        _busy.Add(end, end - start);
        _kinds.Record(WorkKinds.KindOf(item.Callback, item.State), end - start, allocatedAtEnd - allocated);
        Volatile.Write(ref _itemsRun, _itemsRun + 1);
        mark = end;
        allocated = allocatedAtEnd;
    }

    private readonly record struct WorkItem(SendOrPostCallback Callback, object? State, long PostedAt);

    private sealed class SendCall(SendOrPostCallback callback, object? state)
    {
        public readonly ManualResetEventSlim Done = new();
        public System.Runtime.ExceptionServices.ExceptionDispatchInfo? Error;

        public void Run()
        {
            try { callback(state); }
            catch (Exception e) { Error = System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e); }
            finally { Done.Set(); }
        }
    }

    private sealed class LoopSynchronizationContext(EventLoop loop) : SynchronizationContext
    {
        // A continuation that arrives after the loop stopped (shutdown) has nowhere to run; throwing here
        // would crash the thread pool thread that completed its task, so it is dropped.
        public override void Post(SendOrPostCallback d, object? state) => loop.TryPost(d, state);
        public override void Send(SendOrPostCallback d, object? state) => loop.Send(d, state);
        public override SynchronizationContext CreateCopy() => this;
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Error, Message = "Event loop work item failed: {Message}")]
        public static partial void ItemFailed(ILogger logger, Exception exception, string message);
    }
}

/// <summary>A snapshot of <see cref="EventLoop"/> counters.</summary>
public sealed record EventLoopMetrics(long QueueDepth, long ItemsRun, long Failures, LatencySummary Lag, double BusyRatio,
    double ItemsPerSecond);
