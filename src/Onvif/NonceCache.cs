namespace Edge.Onvif;

/// <summary>
/// The WS-Security nonces seen in the last <see cref="Lifetime"/> (longer than the ±5 minutes a
/// Created may be off, so a replay is caught for as long as its timestamp would pass). Only nonces of
/// valid digests are added, so only a user with the password can fill it; when full the oldest is
/// forgotten (a replay of it would still need a Created within 5 minutes). Loop only.
/// </summary>
public sealed class NonceCache(int capacity = 8192)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);
    private readonly Dictionary<string, DateTimeOffset> _seen = new(StringComparer.Ordinal);
    private readonly Queue<(string Nonce, DateTimeOffset Seen)> _order = new();

    public int Count => _seen.Count;

    /// <summary>False when <paramref name="nonce"/> was seen before (within the lifetime).</summary>
    public bool TryAdd(string nonce, DateTimeOffset now)
    {
        while (_order.TryPeek(out var oldest) && (now - oldest.Seen > Lifetime || _order.Count >= capacity))
        {
            _order.Dequeue();
            _seen.Remove(oldest.Nonce);
        }
        if (!_seen.TryAdd(nonce, now)) return false;
        _order.Enqueue((nonce, now));
        return true;
    }
}
