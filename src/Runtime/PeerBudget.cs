using System.Net;

namespace Edge.Runtime;

/// <summary>
/// How much work one peer address may ask for before it has logged in: a token bucket per address
/// (<paramref name="perSecond"/> requests a second, bursts of twice that). The table is bounded:
/// when it is full, addresses whose buckets have refilled are forgotten (they lose nothing), and
/// if none has, new addresses share one bucket. Thread-safe.
/// </summary>
public sealed class PeerBudget(TimeProvider time, double perSecond, int maxPeers = 4096)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<IPAddress, Bucket> _buckets = [];
    private readonly Bucket _shared = new() { Tokens = 2 * perSecond, At = time.GetTimestamp() };
    private double Burst => 2 * perSecond;

    /// <summary>Takes one request's worth; false with how long until the next one is allowed.</summary>
    public bool TryTake(IPAddress? address, out TimeSpan retryAfter)
    {
        long now = time.GetTimestamp();
        var key = address is null ? IPAddress.None : PeerAddress.Normalize(address);
        lock (_lock)
        {
            if (!_buckets.TryGetValue(key, out var bucket))
            {
                if (_buckets.Count >= maxPeers) Forget(now);
                bucket = _buckets.Count < maxPeers ? new Bucket { Tokens = Burst, At = now } : _shared;
                if (bucket != _shared) _buckets[key] = bucket;
            }
            Refill(bucket, now);
            if (bucket.Tokens >= 1)
            {
                bucket.Tokens--;
                retryAfter = TimeSpan.Zero;
                return true;
            }
            retryAfter = TimeSpan.FromSeconds((1 - bucket.Tokens) / perSecond);
            return false;
        }
    }

    private void Refill(Bucket bucket, long now)
    {
        bucket.Tokens = Math.Min(Burst, bucket.Tokens + time.GetElapsedTime(bucket.At, now).TotalSeconds * perSecond);
        bucket.At = now;
    }

    private void Forget(long now)
    {
        foreach (var (address, bucket) in _buckets)
        {
            Refill(bucket, now);
            if (bucket.Tokens >= Burst) _buckets.Remove(address);
        }
    }

    private sealed class Bucket
    {
        public double Tokens;
        public long At;
    }
}
