namespace Edge.Monitoring;

/// <summary>
/// One reading of the system. Null means unknown: the file was missing, or (CPU usage, network rates)
/// this was the first reading, which has nothing to compare with.
/// </summary>
public sealed record SystemSample(CpuUsage? Cpu, LoadAverage? Load, MemoryUsage Memory, Temperature[] Temperatures, double? UptimeSeconds, InterfaceRate[]? Network);
