using System.Text.Json;

namespace Edge.Monitoring;

/// <summary><c>system.load</c>: run-queue load averages over 1, 5 and 15 minutes.</summary>
public sealed class LoadAverage(double one, double five, double fifteen) : IJsonWritable
{
    public double One { get; } = one;

    public double Five { get; } = five;

    public double Fifteen { get; } = fifteen;

    /// <summary>Parses <c>/proc/loadavg</c>; null when it does not start with three numbers.</summary>
    public static LoadAverage? Parse(ReadOnlySpan<byte> procLoadavg)
        => AsciiFields.NextDouble(ref procLoadavg, out double one) && AsciiFields.NextDouble(ref procLoadavg, out double five)
            && AsciiFields.NextDouble(ref procLoadavg, out double fifteen)
            ? new LoadAverage(one, five, fifteen)
            : null;

    public void WriteTo(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteNumber("one"u8, One);
        writer.WriteNumber("five"u8, Five);
        writer.WriteNumber("fifteen"u8, Fifteen);
        writer.WriteEndObject();
    }
}
