using System.Buffers;
using System.Text;
using Edge.Monitoring;
using Edge.Runtime;

namespace Edge.Tests.Monitoring;

[TestClass]
public sealed class PrometheusWriterTests
{
    private static string Write(Action<PrometheusWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        write(new PrometheusWriter(buffer));
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    [TestMethod]
    public void SamplesEscapeLabelValuesAndSpellSpecialNumbersAsPrometheusDoes()
    {
        string text = Write(w =>
        {
            w.Family("x", "gauge", "An example.");
            w.Sample("x", "name", "a\"b\\c\nd", 1.5);
            w.Sample("x", "name", "inf", double.PositiveInfinity);
            w.Sample("x", "name", "nan", double.NaN);
            w.Sample("x", 12345678901);
        });
        Assert.AreEqual("""
            # HELP x An example.
            # TYPE x gauge
            x{name="a\"b\\c\nd"} 1.5
            x{name="inf"} +Inf
            x{name="nan"} NaN
            x 12345678901

            """.ReplaceLineEndings("\n"), text);
    }

    [TestMethod]
    public void AHistogramHasCumulativeBucketsUpToInfinityThenSumAndCount()
    {
        var histogram = new LatencyHistogram();
        histogram.RecordNanos(30_000);     // 30 µs
        histogram.RecordNanos(3_000_000);  // 3 ms
        histogram.RecordNanos(20_000_000_000); // 20 s: beyond the last bound
        string[] lines = Write(w => w.Histogram("t_seconds", histogram, "method", "ping")).Split('\n');
        Assert.AreEqual("t_seconds_bucket{method=\"ping\",le=\"5e-05\"} 1", lines[0]);
        Assert.AreEqual("t_seconds_bucket{method=\"ping\",le=\"0.0025\"} 1", lines[5]);
        Assert.AreEqual("t_seconds_bucket{method=\"ping\",le=\"0.005\"} 2", lines[6]);
        Assert.AreEqual("t_seconds_bucket{method=\"ping\",le=\"10\"} 2", lines[16]);
        Assert.AreEqual("t_seconds_bucket{method=\"ping\",le=\"+Inf\"} 3", lines[17]);
        Assert.AreEqual("t_seconds_sum{method=\"ping\"} 20.00303", lines[18]);
        Assert.AreEqual("t_seconds_count{method=\"ping\"} 3", lines[19]);
    }
}
