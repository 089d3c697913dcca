using System.Net;

namespace Edge.Auth;

/// <summary>
/// Slows down password guessing per client address: after <see cref="FreeFailures"/> failures each
/// further failure doubles a lock-out (1 s, 2 s, 4 s … up to <see cref="MaxLockout"/>) during which
/// the address gets 429 without its password being checked. A success does not reset the count (an
/// attacker holding one account could otherwise guess another's password without limit); the count
/// is forgotten 15 minutes after the last failure. Loop only; bounded in size.
/// </summary>
public sealed class LoginThrottle(TimeProvider time)
{
    public const int FreeFailures = 5;
    public static readonly TimeSpan MaxLockout = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan Forget = TimeSpan.FromMinutes(15);
    private const int MaxTracked = 4096;
    private readonly Dictionary<IPAddress, Record> _records = [];

    /// <summary>How long <paramref name="address"/> must still wait; zero when it may try now.</summary>
    public TimeSpan RetryAfter(IPAddress address)
    {
        if (!_records.TryGetValue(address, out var record)) return TimeSpan.Zero;
        var wait = record.LockedUntil - time.GetUtcNow();
        return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
    }

    public void Failed(IPAddress address)
    {
        var now = time.GetUtcNow();
        if (!_records.TryGetValue(address, out var record) || now - record.LastFailure > Forget)
        {
            if (_records.Count >= MaxTracked) Prune(now);
            record = new Record();
        }
        record.Failures++;
        record.LastFailure = now;
        if (record.Failures > FreeFailures)
        {
            int doublings = Math.Min(record.Failures - FreeFailures - 1, 16);
            var lockout = TimeSpan.FromSeconds(1 << doublings);
            record.LockedUntil = now + (lockout < MaxLockout ? lockout : MaxLockout);
        }
        _records[address] = record;
    }

    private void Prune(DateTimeOffset now)
    {
        foreach (var (address, record) in _records)
            if (now - record.LastFailure > Forget || record.LockedUntil < now) _records.Remove(address);
        // Still full of live lock-outs: forget the oldest rather than grow without bound.
        if (_records.Count >= MaxTracked)
            _records.Remove(_records.MinBy(r => r.Value.LastFailure).Key);
    }

    private sealed class Record
    {
        public int Failures;
        public DateTimeOffset LastFailure;
        public DateTimeOffset LockedUntil;
    }
}
