using Edge.Runtime;

namespace Edge.Camera;

/// <summary>
/// The latest frame of one stream (JPEG for viewers and snapshots, H.264 for RTSP) and everyone who
/// wants it. Publishing hands each viewer a reference to the same buffer (no copies); a viewer holds at
/// most one pending frame, so a slow one skips frames and never holds up the others. Loop only.
/// </summary>
public sealed class FrameHub(EventLoop loop)
{
    private readonly List<FrameViewer> _viewers = [];
    private readonly List<TaskCompletionSource<Frame?>> _waiters = [];
    private Frame? _latest;
    private bool _demand;

    /// <summary>Raised when <see cref="HasDemand"/> changes (the camera starts or stops encoding).</summary>
    public event Action<bool>? DemandChanged;

    /// <summary>
    /// Raised when a viewer needs a key frame to start or to resume after skipped frames (H.264): an
    /// encoder makes its next frame one.
    /// </summary>
    public event Action? KeyFrameWanted;

    /// <summary>Asks the stream's encoder for a key frame (a camera that encodes itself is not asked).</summary>
    public void RequestKeyFrame()
    {
        loop.VerifyAccess();
        KeyFrameWanted?.Invoke();
    }

    /// <summary>Someone watches or waits for a frame.</summary>
    public bool HasDemand => _demand;

    public int ViewerCount => _viewers.Count;

    /// <summary>The newest frame, still referenced by the hub (AddRef to keep it).</summary>
    public Frame? Latest => _latest;

    /// <summary>
    /// Frames published, frames skipped by slow viewers, frames written to viewers (loop counters; viewers
    /// report to their hub).
    /// </summary>
    public long Published { get; private set; }

    public long ViewerSkips { get; private set; }

    public long Delivered { get; private set; }

    /// <summary>Viewers dropped because their connection took no data for too long.</summary>
    public long StalledViewers { get; private set; }

    internal void CountSkip() => ViewerSkips++;

    internal void CountDelivered() => Delivered++;

    internal void CountStalled() => StalledViewers++;

    /// <summary>Makes <paramref name="frame"/> the latest and offers it to every viewer; takes over the caller's reference.</summary>
    public void Publish(Frame frame)
    {
        loop.VerifyAccess();
        if (_latest != null && frame.Sequence <= _latest.Sequence)
        {
            frame.Release(); // an encode that finished after a newer one
            return;
        }
        var previous = _latest;
        _latest = frame;
        previous?.Release();
        Published++;
        foreach (var viewer in _viewers) viewer.Offer(frame);
        if (_waiters.Count > 0)
        {
            foreach (var waiter in _waiters) waiter.TrySetResult(frame.AddRef());
            _waiters.Clear();
            UpdateDemand();
        }
    }

    /// <summary>Forgets the latest frame (the camera changed; its old picture must not be served as current).</summary>
    public void Clear()
    {
        loop.VerifyAccess();
        _latest?.Release();
        _latest = null;
    }

    /// <summary>A new viewer; it receives every frame published from now on (at most one pending).</summary>
    public FrameViewer AddViewer(TimeSpan minInterval)
    {
        loop.VerifyAccess();
        var viewer = new FrameViewer(this, loop, minInterval);
        _viewers.Add(viewer);
        UpdateDemand();
        return viewer;
    }

    /// <summary>Ends every viewer's stream (shutdown): their next wait returns no frame.</summary>
    public void EndAll()
    {
        loop.VerifyAccess();
        foreach (var viewer in _viewers.ToArray()) viewer.Dispose();
    }

    internal void Remove(FrameViewer viewer)
    {
        if (_viewers.Remove(viewer)) UpdateDemand();
    }

    /// <summary>
    /// The latest frame if it is at most <paramref name="maxAge"/> old, else the next one published
    /// within <paramref name="timeout"/>; null when none came. The caller owns one reference.
    /// </summary>
    public async Task<Frame?> Next(TimeSpan maxAge, TimeSpan timeout, CancellationToken cancellationToken)
    {
        loop.VerifyAccess();
        if (_latest != null && loop.Time.GetElapsedTime(_latest.Timestamp) <= maxAge) return _latest.AddRef();
        var waiter = new TaskCompletionSource<Frame?>(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiters.Add(waiter);
        UpdateDemand();
        using var timer = loop.CreateTimer(() => Abandon(waiter), timeout, Timeout.InfiniteTimeSpan);
        using var cancel = cancellationToken.Register(() => loop.Post(() => Abandon(waiter)));
        return await waiter.Task;
    }

    private void Abandon(TaskCompletionSource<Frame?> waiter)
    {
        if (_waiters.Remove(waiter)) UpdateDemand();
        waiter.TrySetResult(null);
    }

    private void UpdateDemand()
    {
        bool demand = _viewers.Count > 0 || _waiters.Count > 0;
        if (demand == _demand) return;
        _demand = demand;
        DemandChanged?.Invoke(demand);
    }
}
