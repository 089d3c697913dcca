using System.Text.Json;

namespace Edge.Monitoring;

// The values of the system.* state keys. They write their own JSON: a source-generated context for
// these six shapes cost 22 KB of code in the binary, this about a tenth of it (see "Memory and size"
// in ARCHITECTURE.md). Properties that could not be read are left out.

/// <summary>A value that writes itself as JSON.</summary>
public interface IJsonWritable
{
    void WriteTo(Utf8JsonWriter writer);
}

/// <summary><c>system.cpu</c>: percent busy over the last interval, in all and per core (0 for a core that was offline).</summary>
public sealed class CpuUsage(double total, double[] cores) : IJsonWritable
{
    public double Total { get; } = total;

    public IReadOnlyList<double> Cores { get; } = cores;

    public void WriteTo(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteNumber("total"u8, Total);
        writer.WriteStartArray("cores"u8);
        for (int i = 0; i < Cores.Count; i++) writer.WriteNumberValue(Cores[i]);
        writer.WriteEndArray();
        writer.WriteEndObject();
    }
}

/// <summary><c>system.memory</c>: the machine's total and available memory and Edge's resident set, in bytes.</summary>
public sealed class MemoryUsage(long? totalBytes, long? availableBytes, long? processRssBytes) : IJsonWritable
{
    public long? TotalBytes { get; } = totalBytes;

    public long? AvailableBytes { get; } = availableBytes;

    public long? ProcessRssBytes { get; } = processRssBytes;

    public void WriteTo(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        if (TotalBytes is { } total) writer.WriteNumber("totalBytes"u8, total);
        if (AvailableBytes is { } available) writer.WriteNumber("availableBytes"u8, available);
        if (ProcessRssBytes is { } rss) writer.WriteNumber("processRssBytes"u8, rss);
        writer.WriteEndObject();
    }
}

/// <summary>
/// One entry of <c>system.temperatures</c>: a thermal zone (<c>thermal_zone0</c>), its type
/// (<c>cpu-thermal</c>) and its temperature.
/// </summary>
public sealed class Temperature(string zone, string? type, double celsius) : IJsonWritable
{
    public string Zone { get; } = zone;

    public string? Type { get; } = type;

    public double Celsius { get; } = celsius;

    public void WriteTo(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("zone"u8, Zone);
        if (Type != null) writer.WriteString("type"u8, Type);
        writer.WriteNumber("celsius"u8, Celsius);
        writer.WriteEndObject();
    }
}

/// <summary><c>system.disk</c>: size of the file system holding the data directory and the space left on it.</summary>
public sealed class DiskUsage(string path, long totalBytes, long availableBytes) : IJsonWritable
{
    public string Path { get; } = path;

    public long TotalBytes { get; } = totalBytes;

    public long AvailableBytes { get; } = availableBytes;

    public void WriteTo(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("path"u8, Path);
        writer.WriteNumber("totalBytes"u8, TotalBytes);
        writer.WriteNumber("availableBytes"u8, AvailableBytes);
        writer.WriteEndObject();
    }
}

/// <summary>
/// One entry of <c>system.network</c>: an interface's byte counters and their rates over the last
/// interval (left out after the first sample).
/// </summary>
public sealed class InterfaceRate(string name, long rxBytes, long txBytes, long? rxBytesPerSecond, long? txBytesPerSecond) : IJsonWritable
{
    public string Name { get; } = name;

    public long RxBytes { get; } = rxBytes;

    public long TxBytes { get; } = txBytes;

    public long? RxBytesPerSecond { get; } = rxBytesPerSecond;

    public long? TxBytesPerSecond { get; } = txBytesPerSecond;

    public void WriteTo(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("name"u8, Name);
        writer.WriteNumber("rxBytes"u8, RxBytes);
        writer.WriteNumber("txBytes"u8, TxBytes);
        if (RxBytesPerSecond is { } rx) writer.WriteNumber("rxBytesPerSecond"u8, rx);
        if (TxBytesPerSecond is { } tx) writer.WriteNumber("txBytesPerSecond"u8, tx);
        writer.WriteEndObject();
    }
}
