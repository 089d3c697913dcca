namespace Edge.Monitoring;

/// <summary>Run-queue load averages over 1, 5 and 15 minutes (state <c>system.load</c>).</summary>
public sealed record LoadAverage(double One, double Five, double Fifteen)
{
    /// <summary>Parses <c>/proc/loadavg</c>; null when it does not start with three numbers.</summary>
    public static LoadAverage? Parse(ReadOnlySpan<byte> procLoadavg)
        => AsciiFields.NextDouble(ref procLoadavg, out double one) && AsciiFields.NextDouble(ref procLoadavg, out double five) && AsciiFields.NextDouble(ref procLoadavg, out double fifteen)
            ? new LoadAverage(one, five, fifteen)
            : null;
}
