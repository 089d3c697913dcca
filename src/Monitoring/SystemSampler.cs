namespace Edge.Monitoring;

/// <summary>
/// Reads the system from <c>/proc</c> and <c>/sys</c> below a root ("/" in production, a captured tree in
/// tests): CPU, load, memory, temperatures, uptime and network. Everything it reads is made in memory
/// by the kernel, so a sample is cheap enough for the event loop (see ARCHITECTURE.md for the cost).
/// Keeps the previous reading for usage and rates. Not thread-safe (one reused read buffer).
/// </summary>
public sealed class SystemSampler
{
    private readonly KernelFiles _files;
    private readonly int _pageSize;
    private readonly string _stat, _loadavg, _meminfo, _statm, _uptime, _netDev;
    private readonly ThermalZones _thermal;
    private readonly NetworkCounters _network = new();
    private CpuTimes _cpu = new(), _cpuBefore = new();
    private bool _hasCpuBefore;

    public SystemSampler(string root, int pageSize)
    {
        _files = new KernelFiles(root);
        _pageSize = pageSize;
        _stat = _files.PathOf("proc/stat");
        _loadavg = _files.PathOf("proc/loadavg");
        _meminfo = _files.PathOf("proc/meminfo");
        _statm = _files.PathOf("proc/self/statm");
        _uptime = _files.PathOf("proc/uptime");
        _netDev = _files.PathOf("proc/net/dev");
        _thermal = new ThermalZones(root);
    }

    /// <summary>Reads everything once; <paramref name="secondsSinceLast"/> turns byte counts into rates.</summary>
    public SystemSample Take(double secondsSinceLast)
    {
        var reuse = _cpuBefore;
        _cpuBefore = _cpu;
        _cpu = reuse;
        bool hasCpu = _files.TryRead(_stat, out var text) && _cpu.Read(text);
        var cpu = hasCpu && _hasCpuBefore ? Usage(_cpu, _cpuBefore) : null;
        _hasCpuBefore = hasCpu;

        var load = _files.TryRead(_loadavg, out text) ? LoadAverage.Parse(text) : null;
        long? total = null, available = null;
        if (_files.TryRead(_meminfo, out text) && MemInfo.TryParse(text, out long totalBytes, out long availableBytes))
        {
            total = totalBytes;
            available = availableBytes;
        }
        var memory = new MemoryUsage(total, available, ReadProcessRss());
        double? uptime = _files.TryRead(_uptime, out text) && AsciiFields.NextDouble(ref text, out double seconds) ? seconds : null;
        return new SystemSample(cpu, load, memory, _thermal.Read(_files), uptime, ReadNetwork(secondsSinceLast));
    }

    /// <summary>Edge's resident set size now, in bytes; null when unreadable.</summary>
    public long? ReadProcessRss() => _files.TryRead(_statm, out var text) ? MemInfo.ResidentBytes(text, _pageSize) : null;

    private static CpuUsage? Usage(CpuTimes now, CpuTimes before)
    {
        if (now.UsagePercent(before, 0) is not { } total) return null;
        var cores = new double[now.Cores];
        for (int core = 0; core < cores.Length; core++)
            cores[core] = Math.Round(now.UsagePercent(before, core + 1) ?? 0, 1);
        return new CpuUsage(Math.Round(total, 1), cores);
    }

    private InterfaceRate[]? ReadNetwork(double seconds)
    {
        if (!_files.TryRead(_netDev, out var text)) return null;
        _network.Read(text);
        var interfaces = _network.Interfaces;
        var rates = new InterfaceRate[interfaces.Count];
        for (int i = 0; i < rates.Length; i++)
        {
            var counters = interfaces[i];
            rates[i] = new InterfaceRate(counters.Name, counters.RxBytes, counters.TxBytes, Whole(counters.RxRate(seconds)),
                Whole(counters.TxRate(seconds)));
        }
        return rates;
    }

    private static long? Whole(double? value) => value is { } v ? (long)Math.Round(v) : null;
}
