using System.Diagnostics;

namespace Edge.Runtime;

/// <summary>
/// Lock-free log-linear histogram of durations (16 sub-buckets per power of two, so a reported
/// percentile is within ~6 % of the true value). Safe to record from many threads at once.
/// </summary>
public sealed class LatencyHistogram
{
    private const int SubBits = 4;
    private const int SubCount = 1 << SubBits;
    // Nanosecond values up to 2^44 (~4.9 hours); larger ones land in the last bucket.
    private const int MaxExponent = 44;
    private readonly long[] _counts = new long[(MaxExponent - SubBits + 2) * SubCount];
    private long _total;
    private long _sumNanos;
    private long _maxNanos;

    /// <summary>
    /// The bucket bounds every report uses (<c>/metrics</c> and the runtime inspector), in nanoseconds:
    /// 50 µs … 10 s fits a sample of /proc, an API call, a JPEG encode and event-loop lag alike, and
    /// 5 ms is the loop-lag budget the soak test checks.
    /// </summary>
    public static ReadOnlySpan<long> ReportBoundsNanos
        => [50_000, 100_000, 250_000, 500_000, 1_000_000, 2_500_000, 5_000_000, 10_000_000, 25_000_000, 50_000_000, 100_000_000,
            250_000_000, 500_000_000, 1_000_000_000, 2_500_000_000, 5_000_000_000, 10_000_000_000];

    /// <summary>Records one duration given in <see cref="Stopwatch"/> ticks.</summary>
    public void RecordTicks(long ticks) => RecordNanos(ticks <= 0 ? 0 : (long)(ticks * (1e9 / Stopwatch.Frequency)));

    public void RecordNanos(long nanos)
    {
        if (nanos < 0) nanos = 0;
        Interlocked.Increment(ref _counts[IndexOf(nanos)]);
        Interlocked.Increment(ref _total);
        Interlocked.Add(ref _sumNanos, nanos);
        long max = Volatile.Read(ref _maxNanos);
        while (nanos > max)
        {
            long seen = Interlocked.CompareExchange(ref _maxNanos, nanos, max);
            if (seen == max) break;
            max = seen;
        }
    }

    /// <summary>
    /// Like <see cref="RecordTicks"/> for a histogram only one thread ever records into (the event loop's
    /// lag, once per item): plain stores instead of interlocked ones. Readers on other threads still see
    /// whole values.
    /// </summary>
    public void RecordTicksFromOneThread(long ticks)
    {
        long nanos = ticks <= 0 ? 0 : (long)(ticks * (1e9 / Stopwatch.Frequency));
        ref long count = ref _counts[IndexOf(nanos)];
        Volatile.Write(ref count, count + 1);
        Volatile.Write(ref _sumNanos, _sumNanos + nanos);
        if (nanos > _maxNanos) Volatile.Write(ref _maxNanos, nanos);
        Volatile.Write(ref _total, _total + 1);
    }

    public long Count => Volatile.Read(ref _total);

    /// <summary>Forgets every recorded duration; not while another thread records.</summary>
    public void Clear()
    {
        Array.Clear(_counts);
        _total = _sumNanos = _maxNanos = 0;
    }

    public TimeSpan Max => NanosToTimeSpan(Volatile.Read(ref _maxNanos));

    /// <summary>All recorded durations added up, in nanoseconds.</summary>
    public long SumNanos => Volatile.Read(ref _sumNanos);

    /// <summary>
    /// Cumulative counts for fixed upper bounds (ascending, nanoseconds), as a Prometheus histogram
    /// wants them: <paramref name="counts"/>[i] is the number of values in buckets that lie wholly at
    /// or below <paramref name="boundsNanos"/>[i] (a value is counted at the next bound up when its
    /// bucket straddles one, an error within the bucket width of ~6 %). Returns the total, read in the
    /// same pass, so no bound ever counts more than the total.
    /// </summary>
    public long CumulativeCounts(ReadOnlySpan<long> boundsNanos, Span<long> counts)
    {
        counts[..boundsNanos.Length].Clear();
        long total = 0;
        int bound = 0;
        for (int i = 0; i < _counts.Length; i++)
        {
            long count = Volatile.Read(ref _counts[i]);
            if (count == 0) continue;
            total += count;
            long upper = UpperBoundOf(i);
            while (bound < boundsNanos.Length && boundsNanos[bound] < upper) bound++;
            if (bound < boundsNanos.Length) counts[bound] += count;
        }
        for (int i = 1; i < boundsNanos.Length; i++) counts[i] += counts[i - 1];
        return total;
    }

    /// <summary>Writes <c>"NAME": {p50Ms, p99Ms}</c> (ms, two decimals), as the state's once-a-second reports show durations.</summary>
    public void WritePercentiles(System.Text.Json.Utf8JsonWriter w, string name)
    {
        w.WriteStartObject(name);
        w.WriteNumber("p50Ms", Math.Round(Percentile(0.5).TotalMilliseconds, 2));
        w.WriteNumber("p99Ms", Math.Round(Percentile(0.99).TotalMilliseconds, 2));
        w.WriteEndObject();
    }

    /// <summary>The upper bound of the bucket holding the given quantile (0..1); zero when empty.</summary>
    public TimeSpan Percentile(double quantile)
    {
        long total = Count;
        if (total == 0) return TimeSpan.Zero;
        long rank = Math.Max(1, (long)Math.Ceiling(quantile * total));
        long seen = 0;
        for (int i = 0; i < _counts.Length; i++)
        {
            seen += Volatile.Read(ref _counts[i]);
            if (seen >= rank)
                return NanosToTimeSpan(Math.Min(UpperBoundOf(i), Volatile.Read(ref _maxNanos)));
        }
        return Max;
    }

    public LatencySummary Summary()
        => new(Count, Percentile(0.5).TotalMilliseconds, Percentile(0.99).TotalMilliseconds, Max.TotalMilliseconds);

    private static int IndexOf(long nanos)
    {
        if (nanos < SubCount) return (int)nanos;
        int exponent = 63 - (int)long.LeadingZeroCount(nanos);
        if (exponent > MaxExponent) return (MaxExponent - SubBits + 2) * SubCount - 1;
        int sub = (int)(nanos >> (exponent - SubBits)) & (SubCount - 1);
        return (exponent - SubBits + 1) * SubCount + sub;
    }

    private static long UpperBoundOf(int index)
    {
        if (index < SubCount) return index;
        int exponent = index / SubCount + SubBits - 1;
        int sub = index % SubCount;
        return ((long)(SubCount + sub + 1) << (exponent - SubBits)) - 1;
    }

    private static TimeSpan NanosToTimeSpan(long nanos) => TimeSpan.FromTicks(nanos / 100);
}

/// <summary>Count and percentiles of a <see cref="LatencyHistogram"/>, in milliseconds.</summary>
public sealed record LatencySummary(long Count, double P50Ms, double P99Ms, double MaxMs);
