namespace Edge.Runtime;

// A delay whose completion is posted to the loop: awaiting code continues there inline, whichever
// thread the clock's timer fired on.
internal sealed class LoopDelay(EventLoop loop, CancellationToken cancellationToken) : TaskCompletionSource
{
    private ITimer? _timer;
    private CancellationTokenRegistration _registration;

    public void Start(TimeSpan delay)
    {
        _timer = loop.Time.CreateTimer(static s => ((LoopDelay)s!).Fire(), this, delay, Timeout.InfiniteTimeSpan);
        if (cancellationToken.CanBeCanceled)
            _registration = cancellationToken.Register(static s => ((LoopDelay)s!).Cancel(), this);
    }

    // TryPost: a timer or token firing after the loop stopped has nothing left to resume.
    private void Fire() => loop.TryPost(static s => ((LoopDelay)s!).Finish(canceled: false), this);

    private void Cancel() => loop.TryPost(static s => ((LoopDelay)s!).Finish(canceled: true), this);

    private void Finish(bool canceled)
    {
        if (Task.IsCompleted) return;
        _timer?.Dispose();
        _registration.Dispose();
        if (canceled) TrySetCanceled(cancellationToken);
        else TrySetResult();
    }
}
