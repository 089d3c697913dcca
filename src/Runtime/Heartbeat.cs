namespace Edge.Runtime;

/// <summary>
/// Once a second on the loop, for every part with once-a-second work (camera stats and watchdog,
/// WebSocket and RTSP time-outs, system samples): one timer and one wake-up for all of them. A beat
/// that throws does not keep the others from running; the first exception goes to the loop's log.
/// Loop only.
/// </summary>
public sealed class Heartbeat(EventLoop loop)
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    // Replaced, never changed, so a beat may unsubscribe (or subscribe) while the beats run.
    private Action[] _beats = [];
    private ITimer? _timer;

    /// <summary>
    /// Calls <paramref name="beat"/> each second from one second from now until the result is disposed
    /// (from any thread). Loop only.
    /// </summary>
    public IDisposable Subscribe(Action beat)
    {
        loop.VerifyAccess();
        _beats = [.. _beats, beat];
        _timer ??= loop.CreateTimer(Beat, Interval, Interval);
        return new Subscription(this, beat);
    }

    // From any thread: parts stop while the host shuts down, off the loop.
    private void Unsubscribe(Action beat)
    {
        if (!loop.IsOnLoop)
        {
            loop.TryPost(static s => { var (heartbeat, beat) = ((Heartbeat, Action))s!; heartbeat.Unsubscribe(beat); }, (this, beat));
            return;
        }
        int at = Array.IndexOf(_beats, beat);
        if (at < 0) return;
        _beats = [.. _beats[..at], .. _beats[(at + 1)..]];
        if (_beats.Length > 0) return;
        _timer?.Dispose();
        _timer = null;
    }

    private void Beat()
    {
        Exception? first = null;
        foreach (var beat in _beats)
        {
            try { beat(); }
            catch (Exception e) { first ??= e; }
        }
        if (first != null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(first);
    }

    private sealed class Subscription(Heartbeat heartbeat, Action beat) : IDisposable
    {
        private bool _disposed;

        public void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            heartbeat.Unsubscribe(beat);
        }
    }
}
