using Edge.Camera;
using Edge.Recording;
using Edge.Runtime;
using Edge.State;
using Microsoft.Extensions.Logging;

namespace Edge.Motion;

/// <summary>
/// Motion detection while <c>Motion:Enabled</c>: the camera's raw pictures (I420/I422, or JPEG from an
/// MJPEG camera; an H.264 camera's are decoded for it) at <c>Fps</c>, scaled down and analysed on the
/// worker pool one at a time (a picture that comes while one is analysed waits, newer ones replace it).
/// Motion starts with the first picture whose changed share of the watched zones reaches
/// <c>MinAreaPercent</c> and ends <c>CooldownSeconds</c> after the last such picture. State
/// <c>motion.active</c> and <c>motion.level</c> (percent changed, each picture), and while it runs
/// <c>motion.stats</c> once a second: {fps (pictures analysed), analyseMs {p50Ms, p99Ms}}; journal
/// <c>motion.start</c> and <c>motion.end</c>. Its <c>Action</c>: <c>record</c> triggers an event recording
/// with every picture that shows motion (the post-roll counts from the last), <c>snapshot</c> saves a
/// picture in the files when motion starts. Loop only.
/// </summary>
public sealed partial class MotionService(EventLoop loop, WorkerPool pool, CameraService camera, RecordingService recorder,
    SnapshotFiles snapshots, StateStore state, EventJournal journal, MotionSettings settings, ILogger logger)
{
    private readonly MotionDetector _detector = new();
    private readonly MotionPicture _picture = new();
    private readonly RateLimitedLog _problems = new(logger, loop.Time, perMinute: 1);
    private readonly LatencyWindow _times = new();
    private long _analysed, _analysedCounted, _lastTick;
    private TaskCompletionSource _changed = new();
    private CancellationTokenSource? _session;
    private TaskGroup? _actions;
    private ITimer? _quiet;
    private long _started, _lastMotion;
    private double _peak;

    /// <summary>The settings in force (<c>motion.set</c> replaces them).</summary>
    public MotionSettings Settings { get; private set; } = settings;

    /// <summary>Whether motion is going on now.</summary>
    public bool Active { get; private set; }

    /// <summary>Motion started (true) or ended (false); ONVIF's events report it.</summary>
    public event Action<bool>? ActiveChanged;

    /// <summary>Percent of the watched area that changed in the last picture analysed.</summary>
    public double Level { get; private set; }

    /// <summary>New settings: zones and thresholds apply from the next picture; the rate and on/off restart the watching.</summary>
    public void Apply(MotionSettings next)
    {
        loop.VerifyAccess();
        var previous = Settings;
        Settings = next;
        if (next.Enabled != previous.Enabled || next.Fps != previous.Fps) _session?.Cancel();
        // A shorter cool-down counts from the last motion, not from when the old one was armed.
        else if (Active && next.CooldownSeconds < previous.CooldownSeconds) _quiet?.Change(TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        var changed = _changed;
        _changed = new TaskCompletionSource();
        changed.TrySetResult();
    }

    public async Task Run(CancellationToken cancellationToken)
    {
        loop.VerifyAccess();
        using var quiet = _quiet = loop.CreateTimer(EndIfQuiet, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        var actions = _actions = new TaskGroup(TaskGroupPolicy.IgnoreErrors, logger, cancellationToken, "motion actions", loop.TaskGroups);
        Publish(0);
        try
        {
            while (true)
            {
                var changed = _changed.Task;
                if (Settings.Enabled) await Watch(cancellationToken);
                // New settings ended the watching (or it is off): go on with them. A camera hub that ended
                // it (no more pictures) waits for new settings too, rather than watching again at once.
                await changed.WaitAsync(cancellationToken);
            }
        }
        finally
        {
            End();
            _quiet = null;
            _actions = null;
            await actions.DisposeAsync();
        }
    }

    private async Task Watch(CancellationToken cancellationToken)
    {
        using var session = _session = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var viewer = camera.Raw.AddViewer(TimeSpan.FromSeconds(1.0 / Settings.Fps));
        _lastTick = loop.Time.GetTimestamp();
        using var beat = loop.Heartbeat.Subscribe(PublishStats);
        try
        {
            while (await viewer.Next(session.Token) is { } frame)
            {
                double level;
                long took;
                var (current, timestamp) = (Settings, frame.Timestamp);
                try
                {
                    // Not cancelled midway: a picture being analysed is finished (about a millisecond) before it is let go.
                    (level, took) = await pool.Submit(_ =>
                    {
                        long start = System.Diagnostics.Stopwatch.GetTimestamp();
                        return (Analyse(frame, current), System.Diagnostics.Stopwatch.GetTimestamp() - start);
                    }, PoolFullMode.Reject);
                }
                catch (Exception e) when (e is PoolFullException or InvalidDataException or ArgumentException)
                {
                    // A busy pool skips a picture; a broken JPEG or a picture without luma is said once a minute.
                    if (e is not PoolFullException && _problems.Admit()) Log.CannotAnalyse(logger, e.Message);
                    continue;
                }
                finally
                {
                    frame.Release();
                }
                _times.RecordTicks(took);
                _analysed++;
                Observe(level, timestamp);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // New settings: watched again with them (or not at all).
        }
        finally
        {
            _session = null;
            End();
            Publish(0);
            state.PublishWritten("motion.stats", static w =>
            {
                w.WriteStartObject();
                w.WriteNumber("fps", 0);
                w.WriteEndObject();
            });
        }
    }

    // On the pool; one picture at a time, so the picture and the detector are never shared.
    private double Analyse(Frame frame, MotionSettings settings)
    {
        _picture.Load(frame);
        double seconds = frame.Timestamp / (double)loop.Time.TimestampFrequency;
        return _detector.Analyse(_picture.Luma, _picture.Width, _picture.Height, _picture.Width, seconds, settings.Sensitivity,
            settings.Zones);
    }

    private void Observe(double level, long timestamp)
    {
        Publish(level);
        if (level < Settings.MinAreaPercent) return;
        _lastMotion = timestamp;
        _peak = Math.Max(_peak, Level);
        if (!Active)
        {
            Active = true;
            _started = timestamp;
            _peak = Level;
            state.Publish("motion.active", true, StateJsonContext.Default.Boolean);
            journal.Record("motion.start", new MotionEvent(Level), MotionJsonContext.Default.MotionEvent);
            ActiveChanged?.Invoke(true);
            if (Settings.Action == "snapshot") _actions?.Spawn(SaveSnapshot, "motion snapshot");
        }
        if (Settings.Action == "record") recorder.Trigger("motion");
        _quiet?.Change(TimeSpan.FromSeconds(Settings.CooldownSeconds), Timeout.InfiniteTimeSpan);
    }

    private void EndIfQuiet()
    {
        if (!Active) return;
        var left = TimeSpan.FromSeconds(Settings.CooldownSeconds) - loop.Time.GetElapsedTime(_lastMotion);
        // A timer may fire a hair early: then it is set again for what is left, or motion would never end.
        if (left > TimeSpan.Zero) _quiet?.Change(left, Timeout.InfiniteTimeSpan);
        else End();
    }

    private void End()
    {
        if (!Active) return;
        Active = false;
        _quiet?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        double seconds = Math.Round(loop.Time.GetElapsedTime(_started).TotalSeconds, 1);
        state.Publish("motion.active", false, StateJsonContext.Default.Boolean);
        journal.Record("motion.end", new MotionEvent(_peak, seconds), MotionJsonContext.Default.MotionEvent);
        ActiveChanged?.Invoke(false);
    }

    // The journal names the file, so the UI's event list links to it.
    private async Task SaveSnapshot(CancellationToken cancellationToken)
    {
        try
        {
            string path = await snapshots.Save(cancellationToken);
            journal.Record("camera.snapshot", new SavedSnapshot(Path.GetFileName(path), null, "motion"),
                CameraJsonContext.Default.SavedSnapshot);
        }
        catch (StorageException)
        {
            // StorageHealth has logged the cause, once per cause, and /readyz shows it.
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            if (_problems.Admit()) Log.SnapshotFailed(logger, e.Message);
        }
    }

    // Once a second while watching: motion.stats.
    private void PublishStats()
    {
        long now = loop.Time.GetTimestamp();
        double seconds = Math.Max(loop.Time.GetElapsedTime(_lastTick, now).TotalSeconds, 1e-3);
        _lastTick = now;
        double fps = Math.Round((_analysed - _analysedCounted) / seconds, 1);
        _analysedCounted = _analysed;
        var times = _times.Take();
        state.PublishWritten("motion.stats", w =>
        {
            w.WriteStartObject();
            w.WriteNumber("fps", fps);
            if (times.Count > 0) times.WritePercentiles(w, "analyseMs");
            w.WriteEndObject();
        });
    }

    private void Publish(double level)
    {
        Level = Math.Round(level, 1);
        state.Publish("motion.level", Level, StateJsonContext.Default.Double);
        if (!Active) state.Publish("motion.active", false, StateJsonContext.Default.Boolean);
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Motion: a picture could not be analysed: {Problem}")]
        public static partial void CannotAnalyse(ILogger logger, string problem);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Motion: the snapshot was not saved: {Problem}")]
        public static partial void SnapshotFailed(ILogger logger, string problem);
    }
}
