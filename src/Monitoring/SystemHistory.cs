using System.Text.Json;

namespace Edge.Monitoring;

/// <summary>
/// The last samples for the UI's graphs (<c>system.history</c>): a ring of preallocated columns, as many
/// points as the span holds at the sampling interval; the oldest point makes room for the newest.
/// Loop only.
/// </summary>
public sealed class SystemHistory
{
    // Column names, in the order of the values Add stores.
    private static readonly JsonEncodedText[] Columns =
    [
        JsonEncodedText.Encode("cpuPercent"),
        JsonEncodedText.Encode("load1"),
        JsonEncodedText.Encode("memoryAvailableBytes"),
        JsonEncodedText.Encode("processRssBytes"),
        JsonEncodedText.Encode("temperatureCelsius"),
        JsonEncodedText.Encode("rxBytesPerSecond"),
        JsonEncodedText.Encode("txBytesPerSecond"),
        JsonEncodedText.Encode("diskAvailableBytes"),
    ];

    private readonly long[] _times;
    // NaN where a value was unknown; written as null.
    private readonly double[][] _values;
    private readonly int _intervalSeconds;
    private int _next;

    public SystemHistory(int intervalSeconds, TimeSpan span)
    {
        _intervalSeconds = intervalSeconds;
        Capacity = (int)Math.Ceiling(span.TotalSeconds / intervalSeconds);
        _times = new long[Capacity];
        _values = new double[Columns.Length][];
        for (int i = 0; i < _values.Length; i++) _values[i] = new double[Capacity];
    }

    public int Capacity { get; }

    public int Count { get; private set; }

    /// <summary>
    /// Adds one point: the highest temperature of all zones, the traffic of all interfaces, the data
    /// directory's free space (read apart, so the last one known).
    /// </summary>
    public void Add(DateTimeOffset time, SystemSample sample, long? diskAvailableBytes)
    {
        _times[_next] = time.ToUnixTimeMilliseconds();
        double maxCelsius = double.NaN, rx = double.NaN, tx = double.NaN;
        foreach (var zone in sample.Temperatures)
            if (double.IsNaN(maxCelsius) || zone.Celsius > maxCelsius) maxCelsius = zone.Celsius;
        if (sample.Network is { } network)
        {
            rx = tx = 0;
            foreach (var link in network)
            {
                rx += link.RxBytesPerSecond ?? double.NaN;
                tx += link.TxBytesPerSecond ?? double.NaN;
            }
        }
        _values[0][_next] = sample.Cpu?.Total ?? double.NaN;
        _values[1][_next] = sample.Load?.One ?? double.NaN;
        _values[2][_next] = sample.Memory.AvailableBytes ?? double.NaN;
        _values[3][_next] = sample.Memory.ProcessRssBytes ?? double.NaN;
        _values[4][_next] = maxCelsius;
        _values[5][_next] = rx;
        _values[6][_next] = tx;
        _values[7][_next] = diskAvailableBytes ?? double.NaN;
        _next = (_next + 1) % Capacity;
        if (Count < Capacity) Count++;
    }

    /// <summary>
    /// Writes <c>{"intervalSeconds":1,"capacity":900,"time":[unix ms…],"cpuPercent":[…],…}</c>, oldest
    /// first, one array per value with null where it was unknown.
    /// </summary>
    public void WriteTo(Utf8JsonWriter writer)
    {
        int oldest = (_next - Count + Capacity) % Capacity;
        writer.WriteStartObject();
        writer.WriteNumber("intervalSeconds"u8, _intervalSeconds);
        writer.WriteNumber("capacity"u8, Capacity);
        writer.WriteStartArray("time"u8);
        for (int i = 0; i < Count; i++) writer.WriteNumberValue(_times[(oldest + i) % Capacity]);
        writer.WriteEndArray();
        for (int column = 0; column < Columns.Length; column++)
        {
            writer.WriteStartArray(Columns[column]);
            var values = _values[column];
            for (int i = 0; i < Count; i++)
            {
                double value = values[(oldest + i) % Capacity];
                if (double.IsNaN(value)) writer.WriteNullValue();
                else writer.WriteNumberValue(value);
            }
            writer.WriteEndArray();
        }
        writer.WriteEndObject();
    }
}
