using System.Buffers;
using System.Diagnostics;
using System.Text.Json;
using Edge.Runtime;
using Edge.State;

namespace Edge.Monitoring;

/// <summary>
/// Samples the system on the loop every <see cref="MonitoringSettings.IntervalSeconds"/> (a loop timer,
/// so tests drive it with a manual clock), publishes the <c>system.*</c> state keys and keeps the
/// history for <c>system.history</c>. Free space of the data directory is read on the worker pool,
/// since statvfs can hang on dying storage; while one such read is out, no other starts. Loop only.
/// </summary>
public sealed class SystemMonitor
{
    /// <summary>How far back <see cref="History"/> reaches.</summary>
    public static readonly TimeSpan HistorySpan = TimeSpan.FromMinutes(15);

    private readonly EventLoop _loop;
    private readonly WorkerPool _pool;
    private readonly StateStore _state;
    private readonly SystemSampler _sampler;
    private readonly string _dataDir;
    private readonly int _intervalBeats;
    private int _beats;
    // One buffer and writer for every value published: nothing is allocated when a value is unchanged.
    private readonly ArrayBufferWriter<byte> _json = new(1024);
    private readonly Utf8JsonWriter _writer;
    private IDisposable? _beat;
    private long _lastSample;
    private bool _diskPending;
    private DiskUsage? _disk;

    public SystemMonitor(EventLoop loop, WorkerPool pool, StateStore state, SystemSampler sampler, MonitoringSettings settings,
        string dataDir)
    {
        _loop = loop;
        _pool = pool;
        _state = state;
        _sampler = sampler;
        _dataDir = dataDir;
        _intervalBeats = settings.IntervalSeconds;
        History = new SystemHistory(settings.IntervalSeconds, HistorySpan);
        _writer = new Utf8JsonWriter(_json);
    }

    public SystemHistory History { get; }

    /// <summary>Time each sample took on the loop (reading, publishing, history), since start.</summary>
    public LatencyHistogram SampleTimes { get; } = new();

    /// <summary>Takes the first sample now, then one every interval.</summary>
    public void Start()
    {
        _loop.VerifyAccess();
        _lastSample = _loop.Time.GetTimestamp();
        Sample();
        _beat = _loop.Heartbeat.Subscribe(() =>
        {
            if (++_beats % _intervalBeats == 0) Sample();
        });
    }

    public void Stop() => _beat?.Dispose();

    /// <summary>Edge's resident set size now, in bytes; null when unreadable. Loop only.</summary>
    public long? ReadProcessRss()
    {
        _loop.VerifyAccess();
        return _sampler.ReadProcessRss();
    }

    private void Sample()
    {
        long started = Stopwatch.GetTimestamp();
        long now = _loop.Time.GetTimestamp();
        double seconds = _loop.Time.GetElapsedTime(_lastSample, now).TotalSeconds;
        _lastSample = now;
        var sample = _sampler.Take(seconds);
        Publish("system.cpu", sample.Cpu);
        Publish("system.load", sample.Load);
        Publish("system.memory", sample.Memory);
        Publish("system.temperatures", sample.Temperatures);
        if (sample.UptimeSeconds is { } uptime) _state.Publish("system.uptime", uptime, StateJsonContext.Default.Double);
        Publish("system.network", sample.Network);
        History.Add(_loop.Time.GetUtcNow(), sample, _disk?.AvailableBytes);
        if (!_diskPending) _ = ReadDisk();
        SampleTimes.RecordTicks(Stopwatch.GetTimestamp() - started);
    }

    private void Publish(string key, IJsonWritable? value)
    {
        var writer = Begin();
        if (value == null) writer.WriteNullValue();
        else value.WriteTo(writer);
        End(key);
    }

    private void Publish(string key, IJsonWritable[]? values)
    {
        var writer = Begin();
        if (values == null) writer.WriteNullValue();
        else
        {
            writer.WriteStartArray();
            foreach (var value in values) value.WriteTo(writer);
            writer.WriteEndArray();
        }
        End(key);
    }

    private Utf8JsonWriter Begin()
    {
        _json.ResetWrittenCount();
        _writer.Reset();
        return _writer;
    }

    private void End(string key)
    {
        _writer.Flush();
        _state.PublishJson(key, _json.WrittenSpan);
    }

    private async Task ReadDisk()
    {
        _diskPending = true;
        try
        {
            string directory = _dataDir;
            var disk = await _pool.Submit(_ => DiskSpace.Read(directory), PoolFullMode.Reject);
            _disk = disk;
            Publish("system.disk", disk);
        }
        catch (Exception e) when (e is PoolFullException or ObjectDisposedException)
        {
            // A busy pool (the next sample asks again) or shutdown.
        }
        finally
        {
            _diskPending = false;
        }
    }
}
