namespace Edge.Runtime;

// Starts a function on the loop and mirrors its outcome into a task whose continuations run
// asynchronously, so whoever awaits it is resumed on the thread pool rather than on the loop.
internal sealed class LoopCall(Func<Task> func) : TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)
{
    public void Start()
    {
        Task inner;
        try { inner = func(); }
        catch (Exception e) { TrySetException(e); return; }
        if (inner.IsCompleted) Complete(inner);
        else inner.ContinueWith(static (t, s) => ((LoopCall)s!).Complete(t), this, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private void Complete(Task inner)
    {
        if (inner.IsFaulted) TrySetException(inner.Exception!.InnerExceptions);
        else if (inner.IsCanceled) TrySetCanceled();
        else TrySetResult();
    }
}

internal sealed class LoopCall<T>(Func<Task<T>> func) : TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously)
{
    public void Start()
    {
        Task<T> inner;
        try { inner = func(); }
        catch (Exception e) { TrySetException(e); return; }
        if (inner.IsCompleted) Complete(inner);
        else inner.ContinueWith(static (t, s) => ((LoopCall<T>)s!).Complete(t), this, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private void Complete(Task<T> inner)
    {
        if (inner.IsFaulted) TrySetException(inner.Exception!.InnerExceptions);
        else if (inner.IsCanceled) TrySetCanceled();
        else TrySetResult(inner.Result);
    }
}
