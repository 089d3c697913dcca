using Edge.Runtime;

namespace Edge.Onvif;

/// <summary>
/// The events service's subscriptions: at most <see cref="MaxPullPoints"/>, each ending at its termination
/// time unless renewed (checked every few seconds), each given every notification <see cref="Publish"/>
/// is called with. A new one, and one that asks for a synchronization point, first gets the current
/// state of every property (what <c>current</c> gives). Loop only.
/// </summary>
public sealed class PullPoints(EventLoop loop, Func<DateTimeOffset, IEnumerable<OnvifEvent>> current)
{
    public const int MaxPullPoints = 10;
    public const int MaxQueued = 100;

    /// <summary>Where a subscription's requests go: <c>?id=</c> names it (clients do not echo reference parameters).</summary>
    public const string Path = "/onvif/subscription";

    private static readonly TimeSpan ExpiryCheck = TimeSpan.FromSeconds(5);

    private readonly Dictionary<string, PullPoint> _points = new(StringComparer.Ordinal);
    // Started with the first subscription, then runs for the life of the loop (a check of a handful of entries).
    private ITimer? _expiry;

    public int Count => _points.Count;

    /// <summary>
    /// A new pull point ending after <paramref name="lifetime"/>, with the current state queued; null when all
    /// are taken.
    /// </summary>
    public PullPoint? Create(TimeSpan lifetime)
    {
        loop.VerifyAccess();
        Expire();
        if (_points.Count >= MaxPullPoints) return null;
        string id = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8));
        var point = new PullPoint(id, loop.Time.GetTimestamp() + Ticks(lifetime));
        _points.Add(id, point);
        Synchronize(point);
        _expiry ??= loop.CreateTimer(Expire, ExpiryCheck, ExpiryCheck);
        return point;
    }

    /// <summary>The live pull point <paramref name="id"/> names, or null.</summary>
    public PullPoint? Find(string? id)
    {
        loop.VerifyAccess();
        if (id == null || !_points.TryGetValue(id, out var point)) return null;
        if (loop.Time.GetTimestamp() < point.Termination) return point;
        Remove(point);
        return null;
    }

    /// <summary>Extends <paramref name="point"/> to end <paramref name="lifetime"/> from now (never earlier than it would).</summary>
    public void Extend(PullPoint point, TimeSpan lifetime)
        => point.Termination = Math.Max(point.Termination, loop.Time.GetTimestamp() + Ticks(lifetime));

    /// <summary>Sets when <paramref name="point"/> ends, <paramref name="lifetime"/> from now.</summary>
    public void Renew(PullPoint point, TimeSpan lifetime) => point.Termination = loop.Time.GetTimestamp() + Ticks(lifetime);

    public void Remove(PullPoint point)
    {
        _points.Remove(point.Id);
        point.End();
    }

    /// <summary>Queues the current state of every property for <paramref name="point"/>.</summary>
    public void Synchronize(PullPoint point)
    {
        foreach (var notification in current(loop.Time.GetUtcNow())) point.Add(notification);
    }

    /// <summary>Answers every waiting pull now (the host is stopping: no request may hold it up).</summary>
    public void WakeAll()
    {
        foreach (var point in _points.Values) point.End();
    }

    /// <summary>Hands <paramref name="notification"/> to every pull point.</summary>
    public void Publish(OnvifEvent notification)
    {
        loop.VerifyAccess();
        foreach (var point in _points.Values) point.Add(notification);
    }

    /// <summary>When <paramref name="point"/> ends, as a UTC time.</summary>
    public DateTimeOffset TerminationTime(PullPoint point)
        => loop.Time.GetUtcNow() + loop.Time.GetElapsedTime(loop.Time.GetTimestamp(), point.Termination);

    private void Expire()
    {
        long now = loop.Time.GetTimestamp();
        foreach (var point in _points.Values.Where(p => now >= p.Termination).ToList()) Remove(point);
    }

    private long Ticks(TimeSpan span) => (long)(span.TotalSeconds * loop.Time.TimestampFrequency);
}
