namespace Edge.Monitoring;

// The values of the system.* state keys. Classes, not structs, and no nullable doubles: each new
// value type in a serialized shape compiles the serializer's generic code anew (see "Memory and
// size" in ARCHITECTURE.md).

/// <summary><c>system.cpu</c>: percent busy over the last interval, in all and per core (0 for a core that was offline).</summary>
public sealed record CpuUsage(double Total, IReadOnlyList<double> Cores);

/// <summary><c>system.memory</c>: the machine's total and available memory and Edge's resident set; a value that cannot be read is left out.</summary>
public sealed record MemoryUsage(long? TotalBytes, long? AvailableBytes, long? ProcessRssBytes);

/// <summary>One entry of <c>system.temperatures</c>: a thermal zone (<c>thermal_zone0</c>), its type (<c>cpu-thermal</c>) and its temperature.</summary>
public sealed record Temperature(string Zone, string? Type, double Celsius);

/// <summary><c>system.disk</c>: size of the file system holding the data directory and the space left on it.</summary>
public sealed record DiskUsage(string Path, long TotalBytes, long AvailableBytes);

/// <summary>One entry of <c>system.network</c>: an interface's byte counters and their rates over the last interval (left out after the first sample).</summary>
public sealed record InterfaceRate(string Name, long RxBytes, long TxBytes, long? RxBytesPerSecond, long? TxBytesPerSecond);
