using Edge.Runtime;
using Edge.State;

namespace Edge.Camera;

public sealed record CameraFps(double Capture, double Encoded, double Delivered);

/// <summary>
/// Losses since start: frames dropped at capture (pipeline behind), at encode (workers busy), by slow
/// viewers (skipped), broken frames rejected (invalid), and viewers dropped because they stalled.
/// </summary>
public sealed record CameraDrops(long Capture, long Encode, long Viewer, long Invalid, long StalledViewers);

public sealed record CameraEncodeTimes(double P50Ms, double P99Ms);

public sealed record CameraStatus(string Source, string State, string? Description, string? Error);

/// <summary>
/// What viewers get: <see cref="Signal"/> is <c>ok</c> (frames arrive), <c>none</c> (watched, but no
/// frame for 2 s), <c>idle</c> (nobody watches, so nothing is captured) or <c>down</c> (the source is
/// not running); the size is the last JPEG's (or H.264 frame's), 0 before the first.
/// </summary>
public sealed record CameraVideo(string Signal, int Width, int Height);

/// <summary>
/// Publishes the camera's numbers as state once a second (<c>camera.fps</c>, <c>camera.viewers</c>,
/// <c>camera.drops</c>, <c>camera.encode_ms</c>, <c>camera.video</c>) and its status when it changes (<c>camera.status</c>).
/// Loop only.
/// </summary>
public sealed class CameraStats(EventLoop loop, CameraService camera, StateStore state)
{
    private static readonly TimeSpan NoSignalAfter = TimeSpan.FromSeconds(2);
    private long _captured, _encoded, _delivered, _lastTick, _lastFrame;
    private int _width, _height;
    private ServiceStatus _service = ServiceStatus.Starting;
    private IDisposable? _beat;

    public void Start()
    {
        loop.VerifyAccess();
        camera.StatusChanged += PublishStatus;
        _lastTick = _lastFrame = loop.Time.GetTimestamp();
        PublishStatus();
        Tick();
        _beat = loop.Heartbeat.Subscribe(Tick);
    }

    public void Stop() => _beat?.Dispose();

    /// <summary>The supervisor's view of the camera service (running, restarting, failed…).</summary>
    public void SetServiceStatus(ServiceStatus status)
    {
        _service = status;
        PublishStatus();
    }

    private void PublishStatus()
    {
        var s = camera.Settings;
        state.Publish("camera.status",
            new CameraStatus(s.Source, _service.ToString().ToLowerInvariant(), camera.Description, camera.LastError),
            CameraJsonContext.Default.CameraStatus);
    }

    private void PublishVideo(long now)
    {
        bool watched = camera.HasDemand;
        // Capture starts with demand: the wait for a first frame counts from then, not from the last frame before.
        if (camera.Captured != _captured || !watched) _lastFrame = now;
        // The JPEG or H.264 viewers' size, whichever is watched.
        if ((camera.Jpeg.Latest ?? camera.H264.Latest) is { Width: > 0 } frame)
        {
            _width = frame.Width;
            _height = frame.Height;
        }
        string signal = _service != ServiceStatus.Running ? "down"
            : !watched ? "idle"
            : loop.Time.GetElapsedTime(_lastFrame, now) >= NoSignalAfter ? "none"
            : "ok";
        state.Publish("camera.video", new CameraVideo(signal, _width, _height), CameraJsonContext.Default.CameraVideo);
    }

    private void Tick()
    {
        long now = loop.Time.GetTimestamp();
        double seconds = Math.Max(loop.Time.GetElapsedTime(_lastTick, now).TotalSeconds, 1e-3);
        _lastTick = now;
        PublishVideo(now);
        double Rate(long current, ref long last)
        {
            double rate = Math.Round((current - last) / seconds, 1);
            last = current;
            return rate;
        }
        state.Publish("camera.fps",
            new CameraFps(Rate(camera.Captured, ref _captured), Rate(camera.Encoded, ref _encoded),
                Rate(camera.Jpeg.Delivered, ref _delivered)), CameraJsonContext.Default.CameraFps);
        state.Publish("camera.viewers", camera.Jpeg.ViewerCount, StateJsonContext.Default.Int32);
        state.Publish("camera.drops",
            new CameraDrops(camera.CaptureDrops, camera.EncodeDrops, camera.Jpeg.ViewerSkips, camera.Invalid, camera.Jpeg.StalledViewers),
            CameraJsonContext.Default.CameraDrops);
        var times = camera.TakeEncodeTimes();
        if (times.Count > 0)
            state.Publish("camera.encode_ms",
                new CameraEncodeTimes(Math.Round(times.Percentile(0.5).TotalMilliseconds, 2),
                    Math.Round(times.Percentile(0.99).TotalMilliseconds, 2)), CameraJsonContext.Default.CameraEncodeTimes);
    }
}
