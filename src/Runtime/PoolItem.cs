namespace Edge.Runtime;

internal abstract class PoolItem
{
    public enum Outcome { Completed, Failed, Canceled }

    // 0 = waiting for room, 1 = queued, 2 = running or finished, 3 = canceled or dropped
    protected int _state;

    /// <summary>When it was submitted (<see cref="System.Diagnostics.Stopwatch"/> ticks): its wait counts from here.</summary>
    public long SubmittedAt { get; } = System.Diagnostics.Stopwatch.GetTimestamp();

    public void Queued() => Interlocked.CompareExchange(ref _state, 1, 0);

    /// <summary>Claims the item for a worker; false when it was canceled or dropped first.</summary>
    public bool TryStart() => Interlocked.Exchange(ref _state, 2) < 2;

    /// <summary>Fails the item as dropped; false when a worker already took it.</summary>
    public abstract bool Drop();

    public abstract Outcome Run();
}

internal sealed class PoolItem<T> : PoolItem
{
    private readonly Func<CancellationToken, T> _work;
    private readonly TaskCompletionSource<T> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenRegistration _registration;

    public PoolItem(Func<CancellationToken, T> work, CancellationToken cancellationToken)
    {
        _work = work;
        CancellationToken = cancellationToken;
        if (cancellationToken.CanBeCanceled)
            _registration = cancellationToken.Register(static s => ((PoolItem<T>)s!).CancelQueued(), this);
    }

    public CancellationToken CancellationToken { get; }

    public Task<T> Task => _result.Task;

    /// <summary>Releases the cancellation registration of an item that never entered the queue.</summary>
    public void Abandon() => _registration.Dispose();

    public override bool Drop()
    {
        if (Interlocked.Exchange(ref _state, 3) >= 2) return false;
        _registration.Dispose();
        _result.TrySetException(new WorkDroppedException());
        return true;
    }

    public override Outcome Run()
    {
        _registration.Dispose();
        try
        {
            _result.TrySetResult(_work(CancellationToken));
            return Outcome.Completed;
        }
        catch (OperationCanceledException e) when (CancellationToken.IsCancellationRequested)
        {
            _result.TrySetCanceled(e.CancellationToken);
            return Outcome.Canceled;
        }
        catch (Exception e)
        {
            _result.TrySetException(e);
            return Outcome.Failed;
        }
    }

    private void CancelQueued()
    {
        if (Interlocked.CompareExchange(ref _state, 3, 1) == 1 || Interlocked.CompareExchange(ref _state, 3, 0) == 0)
            _result.TrySetCanceled(CancellationToken);
    }
}
