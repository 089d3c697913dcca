namespace Edge.Runtime;

/// <summary>Work whose kind, for <see cref="WorkKinds"/>, is that of the function it runs.</summary>
internal interface IKindOfWork
{
    Type Kind { get; }
}

// Starts a function on the loop and mirrors its outcome into a task whose continuations run
// asynchronously, so whoever awaits it is resumed on the thread pool rather than on the loop.
internal sealed class LoopCall(Func<Task> func) : TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), IKindOfWork
{
    public Type Kind => func.Target?.GetType() ?? typeof(LoopCall);

    public void Start()
    {
        Task inner;
        try { inner = func(); }
        catch (Exception e) { TrySetException(e); return; }
        if (inner.IsCompleted) Complete(inner);
        else
            inner.ContinueWith(static (t, s) => ((LoopCall)s!).Complete(t), this, CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private void Complete(Task inner)
    {
        if (inner.IsFaulted) TrySetException(inner.Exception!.InnerExceptions);
        else if (inner.IsCanceled) TrySetCanceled();
        else TrySetResult();
    }
}

internal sealed class LoopCall<T>(Func<Task<T>> func) : TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously),
    IKindOfWork
{
    public Type Kind => func.Target?.GetType() ?? typeof(LoopCall<T>);

    public void Start()
    {
        Task<T> inner;
        try { inner = func(); }
        catch (Exception e) { TrySetException(e); return; }
        if (inner.IsCompleted) Complete(inner);
        else
            inner.ContinueWith(static (t, s) => ((LoopCall<T>)s!).Complete(t), this, CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private void Complete(Task<T> inner)
    {
        if (inner.IsFaulted) TrySetException(inner.Exception!.InnerExceptions);
        else if (inner.IsCanceled) TrySetCanceled();
        else TrySetResult(inner.Result);
    }
}
