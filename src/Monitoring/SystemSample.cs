namespace Edge.Monitoring;

/// <summary>
/// One reading of the system. Null means unknown: the file was missing, or (CPU usage, network rates)
/// this was the first reading, which has nothing to compare with.
/// </summary>
public sealed class SystemSample(CpuUsage? cpu, LoadAverage? load, MemoryUsage memory, Temperature[] temperatures, double? uptimeSeconds,
    InterfaceRate[]? network)
{
    public CpuUsage? Cpu { get; } = cpu;

    public LoadAverage? Load { get; } = load;

    public MemoryUsage Memory { get; } = memory;

    public Temperature[] Temperatures { get; } = temperatures;

    public double? UptimeSeconds { get; } = uptimeSeconds;

    public InterfaceRate[]? Network { get; } = network;
}
