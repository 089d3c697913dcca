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
}
