using Edge.Runtime;

namespace Edge.Tests.Runtime;

[TestClass]
public sealed class LatencyHistogramTests
{
    [TestMethod]
    public void PercentilesAreWithinSevenPercentOfTheTrueValues()
    {
        var histogram = new LatencyHistogram();
        for (int i = 1; i <= 10_000; i++) histogram.RecordNanos(i * 1000L); // 1 µs .. 10 ms
        Assert.AreEqual(10_000, histogram.Count);
        Assert.AreEqual(5.0, histogram.Percentile(0.5).TotalMilliseconds, 5.0 * 0.07);
        Assert.AreEqual(9.9, histogram.Percentile(0.99).TotalMilliseconds, 9.9 * 0.07);
        Assert.AreEqual(10.0, histogram.Max.TotalMilliseconds, 0.001);
    }

    [TestMethod]
    public void RecordingFromOneThreadCountsAsRecordingFromMany()
    {
        var shared = new LatencyHistogram();
        var single = new LatencyHistogram();
        var random = new Random(7);
        for (int i = 0; i < 10_000; i++)
        {
            long ticks = random.Next(-10, 1 << 24);
            shared.RecordTicks(ticks);
            single.RecordTicksFromOneThread(ticks);
        }
        Assert.AreEqual(shared.Summary(), single.Summary());
        Assert.AreEqual(shared.SumNanos, single.SumNanos);
        var bounds = LatencyHistogram.ReportBoundsNanos;
        Span<long> a = stackalloc long[bounds.Length], b = stackalloc long[bounds.Length];
        Assert.AreEqual(shared.CumulativeCounts(bounds, a), single.CumulativeCounts(bounds, b));
        Assert.IsTrue(a.SequenceEqual(b));
    }

    [TestMethod]
    public void AnEmptyHistogramReportsZeroAndHugeValuesLandInTheLastBucket()
    {
        var histogram = new LatencyHistogram();
        Assert.AreEqual(TimeSpan.Zero, histogram.Percentile(0.99));
        histogram.RecordNanos(long.MaxValue / 2);
        Assert.AreEqual(1, histogram.Count);
        Assert.IsGreaterThan(TimeSpan.Zero, histogram.Percentile(0.5));
    }

    [TestMethod]
    public void ConcurrentRecordingLosesNoCounts()
    {
        var histogram = new LatencyHistogram();
        Parallel.For(0, 4, _ => { for (int i = 0; i < 100_000; i++) histogram.RecordNanos(i); });
        Assert.AreEqual(400_000, histogram.Count);
    }

    [TestMethod]
    public void DurationsOfSecondsReportTheirOwnBucket()
    {
        var histogram = new LatencyHistogram();
        histogram.RecordNanos(20_000_000_000);
        histogram.RecordNanos(30_000_000_000);
        // Bucket bounds past 2^31 ns once overflowed 32-bit arithmetic.
        Assert.AreEqual(20.0, histogram.Percentile(0.5).TotalSeconds, 20.0 * 0.07);
    }

    [TestMethod]
    public void CumulativeCountsNeverExceedTheTotalAndCountAStraddlingBucketAtTheNextBound()
    {
        var histogram = new LatencyHistogram();
        foreach (long nanos in new long[] { 5, 900, 1000, 1030, 5000, 2_000_000_000 }) histogram.RecordNanos(nanos);
        var counts = new long[3];
        long total = histogram.CumulativeCounts([1000, 10_000, 1_000_000], counts);
        Assert.AreEqual(6, total);
        // 1000 ns shares its bucket (992…1023) with larger values, so it is counted at the next bound.
        CollectionAssert.AreEqual(new long[] { 2, 5, 5 }, counts);
        Assert.AreEqual(2_000_007_935, histogram.SumNanos);
    }
}
