namespace Edge.Onvif;

/// <summary>
/// One subscription of the events service: the notifications waiting for its client (at most
/// <see cref="PullPoints.MaxQueued"/>; the oldest go first) and when it ends unless renewed. Loop only.
/// </summary>
public sealed class PullPoint(string id, long terminationTimestamp)
{
    private readonly Queue<OnvifEvent> _queue = new();
    private TaskCompletionSource _arrived = new();
    private bool _ended;

    public string Id { get; } = id;

    /// <summary>When it ends (a <see cref="TimeProvider"/> timestamp of the loop's clock).</summary>
    public long Termination { get; set; } = terminationTimestamp;

    /// <summary>Notifications lost because the client did not pull them in time.</summary>
    public long Dropped { get; private set; }

    public int Count => _queue.Count;

    public void Add(OnvifEvent notification)
    {
        if (_queue.Count >= PullPoints.MaxQueued)
        {
            _queue.Dequeue();
            Dropped++;
        }
        _queue.Enqueue(notification);
        var arrived = _arrived;
        _arrived = new TaskCompletionSource();
        arrived.TrySetResult();
    }

    /// <summary>The oldest waiting notifications, at most <paramref name="limit"/>, taken out.</summary>
    public List<OnvifEvent> Take(int limit)
    {
        var taken = new List<OnvifEvent>(Math.Min(limit, _queue.Count));
        while (taken.Count < limit && _queue.TryDequeue(out var notification)) taken.Add(notification);
        return taken;
    }

    /// <summary>Completes when a notification arrives (or at once when some wait), or when it is ended.</summary>
    public Task Arrival => _queue.Count > 0 || _ended ? Task.CompletedTask : _arrived.Task;

    /// <summary>Wakes the pulls waiting on it, and those to come: it was unsubscribed or expired, or the host stops.</summary>
    public void End()
    {
        _ended = true;
        _arrived.TrySetResult();
    }
}
