using System.Buffers;
using System.Globalization;
using System.Text;
using Edge.Runtime;

namespace Edge.Monitoring;

/// <summary>
/// Writes the Prometheus text exposition format 0.0.4 straight into a buffer writer (Kestrel's pooled
/// response buffers for <c>/metrics</c>): a family opens with <c># HELP</c> and <c># TYPE</c>, then
/// its samples follow; histograms get cumulative <c>_bucket</c> lines up to <c>+Inf</c>, <c>_sum</c>
/// and <c>_count</c>.
/// </summary>
public sealed class PrometheusWriter(IBufferWriter<byte> output)
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    // LatencyHistogram.ReportBoundsNanos in seconds, as written.
    private static readonly string[] BoundLabels = ["5e-05", "0.0001", "0.00025", "0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025",
        "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10"];
    private readonly long[] _cumulative = new long[LatencyHistogram.ReportBoundsNanos.Length];

    /// <summary>Opens a family: <paramref name="type"/> is counter, gauge or histogram; counter names end in <c>_total</c>.</summary>
    public void Family(string name, string type, string help)
    {
        Write("# HELP ");
        Write(name);
        Write(" ");
        Write(help);
        Write("\n# TYPE ");
        Write(name);
        Write(" ");
        Write(type);
        Write("\n");
    }

    /// <summary>A gauge family with one unlabelled sample.</summary>
    public void Gauge(string name, string help, double value)
    {
        Family(name, "gauge", help);
        Sample(name, value);
    }

    /// <summary>A counter family with one unlabelled sample; <paramref name="name"/> ends in <c>_total</c>.</summary>
    public void Counter(string name, string help, double value)
    {
        Family(name, "counter", help);
        Sample(name, value);
    }

    /// <summary>A histogram family with one unlabelled histogram.</summary>
    public void Histogram(string name, string help, LatencyHistogram histogram)
    {
        Family(name, "histogram", help);
        Histogram(name, histogram);
    }

    /// <summary>One sample without labels.</summary>
    public void Sample(string name, double value) => Sample(name, null, null, value);

    /// <summary>One sample with one label (none when <paramref name="label"/> is null).</summary>
    public void Sample(string name, string? label, string? labelValue, double value) => Line(name, "", label, labelValue, value);

    private void Line(string name, string suffix, string? label, string? labelValue, double value)
    {
        Write(name);
        Write(suffix);
        if (label != null)
        {
            Write("{");
            Label(label, labelValue!);
            Write("}");
        }
        Write(" ");
        Number(value);
        Write("\n");
    }

    /// <summary>A histogram's samples (seconds) from <paramref name="histogram"/> (all zero when null), with one label or none.</summary>
    public void Histogram(string name, LatencyHistogram? histogram, string? label = null, string? labelValue = null)
    {
        _cumulative.AsSpan().Clear();
        long count = histogram?.CumulativeCounts(LatencyHistogram.ReportBoundsNanos, _cumulative) ?? 0;
        for (int i = 0; i <= BoundLabels.Length; i++)
        {
            Write(name);
            Write("_bucket{");
            if (label != null)
            {
                Label(label, labelValue!);
                Write(",");
            }
            Write("le=\"");
            Write(i < BoundLabels.Length ? BoundLabels[i] : "+Inf");
            Write("\"} ");
            Number(i < BoundLabels.Length ? _cumulative[i] : count);
            Write("\n");
        }
        Line(name, "_sum", label, labelValue, (histogram?.SumNanos ?? 0) / 1e9);
        Line(name, "_count", label, labelValue, count);
    }

    private void Label(string label, string value)
    {
        Write(label);
        Write("=\"");
        // Label values escape backslash, double quote and newline.
        Write(value.AsSpan().IndexOfAny("\\\"\n") < 0 ? value : value.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n"));
        Write("\"");
    }

    private void Number(double value)
    {
        if (double.IsPositiveInfinity(value)) Write("+Inf");
        else if (double.IsNegativeInfinity(value)) Write("-Inf");
        else
        {
            var span = output.GetSpan(32);
            value.TryFormat(span, out int written, default, CultureInfo.InvariantCulture); // shortest round-trip form, NaN as "NaN"
            output.Advance(written);
        }
    }

    private void Write(string text)
    {
        var span = output.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length));
        output.Advance(Encoding.UTF8.GetBytes(text, span));
    }
}
