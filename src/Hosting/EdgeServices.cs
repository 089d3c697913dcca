using Edge.Api;
using Edge.Camera;
using Edge.Files;
using Edge.Gpio;
using Edge.Monitoring;
using Edge.Motion;
using Edge.Mqtt;
using Edge.Onvif;
using Edge.Onvif.Discovery;
using Edge.Recording;
using Edge.Runtime;
using Edge.State;
using Edge.Streaming;
using Edge.Streaming.WebRtc;
using Edge.Video;
using Edge.Web.Tls;
using Microsoft.Extensions.Logging;

namespace Edge.Hosting;

/// <summary>The long-running parts, as the composition root built them.</summary>
public sealed record EdgeParts(
    EventLoop Loop, WorkerPool Pool, Supervisor Supervisor, EventJournal Journal, StorageHealth Storage, FileStore Files,
    CameraService Camera, CameraStats CameraStats, H264Service H264, LiveMp4 Live, HlsSegments Hls,
    RecordingService Recorder, MotionService Motion, MqttService Mqtt,
    SystemMonitor Monitor, RtspServer Rtsp, WebRtcServer WebRtc, CertificateStore Certificates,
    GpioService Gpio, IrCutService? IrCut, HostNetwork Network, DiscoveryService Discovery, PullPoints PullPoints);

/// <summary>
/// What runs beside the HTTP server, started once it listens and stopped before it closes: the
/// supervised services, the once-in-a-while chores (storage checks while a writer fails, certificate
/// files, idle collection) and the journal's start and stop events. Loop only.
/// </summary>
public sealed partial class EdgeServices(EdgeParts parts, EdgeSettings settings, ILoggerFactory loggers)
{
    private static readonly TimeSpan CertificateCheckInterval = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan StorageCheckInterval = TimeSpan.FromSeconds(10);

    private readonly ILogger _logger = loggers.CreateLogger<EdgeServices>();
    private ITimer? _certificateCheck, _storageCheck, _idleCollection;
    private bool _checkingStorage;

    public void Start()
    {
        var (loop, pool, supervisor, journal) = (parts.Loop, parts.Pool, parts.Supervisor, parts.Journal);
        _ = journal.Open();
        _ = Logged(pool.Submit(_ => parts.Files.DeleteLeftovers(), PoolFullMode.Wait), "Cannot delete leftover temporary files");
        journal.Record("edge.started", Program.Version, ApiJsonContext.Default.String);
        // Writers that failed are cleared by their next good write, and uploads or snapshots may not
        // come for days: while any fails, the data directory itself is tried every 10 s.
        _storageCheck = loop.CreateTimer(() =>
        {
            if (parts.Storage.AnyFailing && !_checkingStorage) _ = CheckStorage();
        }, StorageCheckInterval, StorageCheckInterval);
        // A camera may be unplugged for hours: keep trying, at most every 30 s.
        supervisor.Add("camera", parts.Camera.Run,
            new RestartPolicy(int.MaxValue, TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30)));
        parts.CameraStats.Start();
        // An encoder named in the settings but missing is retried (it may be installed meanwhile), at most every 30 s.
        supervisor.Add("h264", parts.H264.Run,
            new RestartPolicy(int.MaxValue, TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30)));
        // Live MP4 and HLS run while someone watches (they cannot fail but by a bug: restarted like the rest).
        supervisor.Add("live", parts.Live.Run);
        supervisor.Add("hls", parts.Hls.Run);
        supervisor.Add("recording", parts.Recorder.Run);
        supervisor.Add("motion", parts.Motion.Run);
        // Always there, idle without a broker: a reload may name one.
        supervisor.Add("mqtt", parts.Mqtt.Run);
        parts.Monitor.Start();
        _idleCollection = new IdleCollector(pool, loggers.CreateLogger<IdleCollector>()).Start(loop);
        if (settings.Rtsp.Enabled) supervisor.Add("rtsp", parts.Rtsp.Run);
        if (settings.WebRtc.Enabled) supervisor.Add("webrtc", parts.WebRtc.Run);
        if (settings.Https.Enabled)
        {
            _ = Logged(pool.Submit(_ => parts.Certificates.EnsureCreated(), PoolFullMode.Wait), "Cannot make the HTTPS certificate");
            // Replaced certificate files are picked up without a SIGHUP.
            _certificateCheck = loop.CreateTimer(() =>
                _ = Logged(pool.Submit(_ => parts.Certificates.CheckForChanges(), PoolFullMode.Reject),
                    "Cannot check the HTTPS certificate files"),
                CertificateCheckInterval, CertificateCheckInterval);
        }
        if (parts.Gpio.HasPins) supervisor.Add("gpio", parts.Gpio.Run);
        if (parts.IrCut is { } irCut) supervisor.Add("ircut", irCut.Run);
        if (settings.Onvif.Enabled || settings.WebRtc.Enabled) parts.Network.Start();
        if (settings.Onvif.Enabled && settings.Onvif.Discovery) supervisor.Add("discovery", parts.Discovery.Run);
    }

    /// <summary>Once the host is stopping: timers end, the journal says so, viewers are let go.</summary>
    public void Stop()
    {
        _certificateCheck?.Dispose();
        _storageCheck?.Dispose();
        _idleCollection?.Dispose();
        parts.Journal.Record("edge.stopping", Program.Version, ApiJsonContext.Default.String);
        parts.CameraStats.Stop();
        parts.Monitor.Stop();
        parts.Network.Dispose();
        parts.Camera.Jpeg.EndAll();
        parts.PullPoints.WakeAll();
        parts.Live.Fragments.EndAll();
    }

    /// <summary>After the services stopped: what the journal holds reaches the disk.</summary>
    public Task Drain() => parts.Journal.Flush();

    // One check at a time: on a dying card an fsync may take longer than the interval.
    private async Task CheckStorage()
    {
        _checkingStorage = true;
        try
        {
            long mark = parts.Storage.FailureMark;
            await parts.Pool.Submit(_ => DataDirectoryCheck.Run(settings.DataDir, settings.Files.ReserveBytes), PoolFullMode.Reject);
            parts.Storage.Checked(mark);
        }
        catch (Exception) { } // still failing (the writers logged why), or shutting down
        finally
        {
            _checkingStorage = false;
        }
    }

    // Chores on the pool that nobody awaits: a failure is logged, not lost (a full pool just skips one).
    private async Task Logged(Task work, string what)
    {
        try { await work; }
        catch (Exception e) when (e is not (OperationCanceledException or PoolFullException)) { Log.ChoreFailed(_logger, what, e.Message); }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "{What}: {Message}")]
        public static partial void ChoreFailed(ILogger logger, string what, string message);
    }
}
