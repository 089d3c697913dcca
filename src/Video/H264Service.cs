using Edge.Camera;
using Edge.Runtime;
using Edge.State;
using Microsoft.Extensions.Logging;

namespace Edge.Video;

/// <summary>
/// Makes the camera's H.264 stream (<see cref="CameraService.H264"/>) from its raw pictures while
/// someone watches H.264 and the camera does not deliver it itself: one encoder, fed on the worker pool
/// one frame at a time. While it is busy the newest raw frame waits and older ones are dropped
/// (counted); capture never waits. A viewer that needs a key frame gets the next frame as one. The
/// encoder is closed 5 s after the last viewer left. An encoder that is missing (when named), cannot
/// start or fails throws, and the supervisor starts the service again. State <c>camera.h264</c>, once a
/// second: {encoder, fps, kbps, encodeMs {p50Ms, p99Ms}, drops (since start), error (why there is no
/// H.264)}. Loop only.
/// </summary>
public sealed partial class H264Service(EventLoop loop, WorkerPool pool, CameraService camera, StateStore state, ILogger logger)
{
    // Known from the start (RTSP and ONVIF say at once whether there is H.264): a few stat calls, before the loop runs.
    private H264EncoderChoice _choice = H264EncoderChoice.Resolve(camera.Settings.H264OrDefault());
    private bool _reported, _resolve = true;
    private long _lastKeyFrame = long.MinValue;

    /// <summary>How long the encoder stays open after the last H.264 viewer left (RTSP's DESCRIBE, then PLAY).</summary>
    public static readonly TimeSpan IdleGrace = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The least time between key frames viewers ask for: a viewer that joins gets one within a frame,
    /// but viewers that join (or fall behind) over and over cannot turn the stream into key frames,
    /// which would starve every viewer's picture of bits. A request within it waits for its end.
    /// </summary>
    public static readonly TimeSpan MinKeyFrameInterval = TimeSpan.FromMilliseconds(250);

    // The frame rate the encoder was made for may differ from the measured one by this share before it is made again.
    private const double FpsTolerance = 0.2;

    private readonly LatencyWindow _times = new();
    private readonly RateLimitedLog _badPictures = new(logger, loop.Time, perMinute: 1);
    private TaskCompletionSource _changed = new();
    private CancellationTokenSource? _session;
    private ITimer? _idle;
    private bool _keyWanted;
    // Owned by the pool job that encodes: jobs run one after another.
    private IH264Encoder? _encoder;
    private H264EncoderOptions? _encoderOptions;
    private long _framesCounted, _bytesCounted, _lastTick;

    /// <summary>The encoder the settings came to.</summary>
    public H264EncoderChoice Choice => _choice;

    /// <summary>Access units made since start.</summary>
    public long Encoded { get; private set; }

    /// <summary>Bytes of H.264 made since start.</summary>
    public long EncodedBytes { get; private set; }

    /// <summary>Raw frames not encoded since start: the encoder was busy, or the pool full.</summary>
    public long Drops { get; private set; }

    /// <summary>Every encode time since start (for <c>/metrics</c>).</summary>
    public LatencyHistogram EncodeTimes { get; } = new();

    /// <summary>Why the camera has no H.264 stream now, or null when it has one (its own, or Edge's).</summary>
    public string? Unavailable
        => camera.Settings.DeliversH264 || Choice.CanEncode ? null : $"no H.264 encoder ({Choice.Problem ?? "H264:Encoder is none"})";

    public async Task Run(CancellationToken cancellationToken)
    {
        loop.VerifyAccess();
        camera.H264.DemandChanged += DemandChanged;
        camera.H264.KeyFrameWanted += KeyFrameWanted;
        camera.SettingsChanged += SettingsChanged;
        _lastTick = loop.Time.GetTimestamp();
        using var beat = loop.Heartbeat.Subscribe(Tick);
        try
        {
            // After a failure (a new Run) the encoders are looked for again: a device may have gone or come.
            _resolve = true;
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var changed = _changed.Task;
                var settings = camera.Settings.H264OrDefault();
                if (_resolve)
                {
                    // Opening device nodes is not for every viewer's arrival: only at start, after a failure, on new settings.
                    _resolve = false;
                    var choice = await pool.Submit(_ => H264EncoderChoice.Resolve(settings), PoolFullMode.Wait, cancellationToken);
                    bool changedChoice = !_reported || choice.Kind != _choice.Kind || choice.Device != _choice.Device
                        || choice.Problem != _choice.Problem;
                    _choice = choice;
                    // The encoder named is missing: a fault (the supervisor logs it and tries again later), unless the camera
                    // delivers H.264 itself and needs none.
                    if (choice.Problem != null && settings.Encoder != "auto" && !camera.Settings.DeliversH264)
                        throw new H264EncoderException(choice.Problem);
                    if (changedChoice) Report(choice);
                    _reported = true;
                    // The settings changed while the encoders were looked for: look again with the new ones.
                    if (changed.IsCompleted) continue;
                }
                if (_choice.CanEncode && Wanted) await EncodeWhileWanted(_choice, cancellationToken);
                else await changed.WaitAsync(cancellationToken);
            }
        }
        finally
        {
            camera.H264.DemandChanged -= DemandChanged;
            camera.H264.KeyFrameWanted -= KeyFrameWanted;
            camera.SettingsChanged -= SettingsChanged;
            _idle?.Dispose();
            _idle = null;
        }
    }

    private bool Wanted => camera.H264.HasDemand && !camera.Settings.DeliversH264;

    private void Report(H264EncoderChoice choice)
    {
        if (choice.CanEncode) Log.Encoder(logger, choice.Name);
        else if (choice.Problem != null) Log.NoEncoder(logger, choice.Problem);
    }

    private void Wake()
    {
        var changed = _changed;
        _changed = new TaskCompletionSource();
        changed.TrySetResult();
    }

    private void DemandChanged(bool demand)
    {
        _idle?.Dispose();
        _idle = null;
        if (demand) Wake();
        else if (_session != null) _idle = loop.CreateTimer(() =>
        {
            if (!Wanted) _session?.Cancel();
        }, IdleGrace, Timeout.InfiniteTimeSpan);
    }

    private void KeyFrameWanted() => _keyWanted = true;

    private void SettingsChanged()
    {
        _resolve = true;
        _session?.Cancel();
        Wake();
    }

    // Whether this frame is to be a key frame a viewer asked for (not sooner than MinKeyFrameInterval after the last one).
    private bool TakeKeyFrameRequest()
    {
        if (!_keyWanted) return false;
        if (_lastKeyFrame != long.MinValue && loop.Time.GetElapsedTime(_lastKeyFrame) < MinKeyFrameInterval) return false;
        _keyWanted = false;
        return true;
    }

    private async Task EncodeWhileWanted(H264EncoderChoice choice, CancellationToken cancellationToken)
    {
        using var session = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _session = session;
        var settings = camera.Settings.H264OrDefault();
        int fps = camera.Shape.Fps;
        using var viewer = camera.Raw.AddViewer(TimeSpan.Zero);
        _lastKeyFrame = long.MinValue; // a new encoder starts with one anyway
        long skipped = 0;
        try
        {
            while (await viewer.Next(session.Token) is { } raw)
            {
                Drops += viewer.Skipped - skipped;
                skipped = viewer.Skipped;
                // Rate control and the GOP follow the rate the camera really delivers (measured once frames came).
                int delivered = camera.Shape.Fps;
                if (Math.Abs(delivered - fps) > fps * FpsTolerance) fps = delivered;
                bool key = TakeKeyFrameRequest();
                Frame? au;
                long ticks;
                try
                {
                    (au, ticks) = await pool.Submit(_ => EncodeOne(choice, settings, fps, raw, key), PoolFullMode.Reject);
                }
                catch (Exception e) when (e is PoolFullException or InvalidDataException)
                {
                    // The pool is busy with other work, or an MJPEG camera sent a picture that does not decode.
                    Drops++;
                    _keyWanted |= key;
                    if (e is InvalidDataException && _badPictures.Admit()) Log.BadPicture(logger, e.Message);
                    continue;
                }
                finally
                {
                    raw.Release();
                }
                _times.RecordTicks(ticks);
                EncodeTimes.RecordTicks(ticks);
                if (au == null) continue;
                if (au.IsKeyFrame)
                {
                    // Any key frame serves the viewers waiting for one, the GOP's own too.
                    _lastKeyFrame = loop.Time.GetTimestamp();
                    _keyWanted = false;
                }
                Encoded++;
                EncodedBytes += au.Length;
                camera.H264.Publish(au);
            }
        }
        catch (OperationCanceledException) when (session.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // Nobody watches any more, or the settings changed: the run loop decides what comes next.
        }
        finally
        {
            _session = null;
            // Its last pictures must not greet the next viewer (whose encoder may have other settings).
            camera.H264.Clear();
            await pool.Submit(_ => CloseEncoder(), PoolFullMode.Wait);
        }
    }

    // On a worker; one job at a time, so the encoder is never used by two threads at once.
    // An MJPEG camera's picture is decoded first (its time counts as encode time: it is the cost of H.264 from that camera).
    private (Frame? AccessUnit, long Ticks) EncodeOne(H264EncoderChoice choice, H264Settings settings, int fps, Frame raw, bool key)
    {
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        var planar = raw.Format == PixelFormat.Jpeg ? JpegDecoder.ForThisThread.Decode(raw) : raw.AddRef();
        try
        {
            var options = H264EncoderOptions.For(planar.Width, planar.Height, fps, settings);
            if (_encoder == null || _encoderOptions != options)
            {
                CloseEncoder();
                _encoder = choice.Open(options);
                _encoderOptions = options;
                start = System.Diagnostics.Stopwatch.GetTimestamp(); // opening is not encoding
            }
            var au = _encoder.Encode(planar, key);
            return (au, System.Diagnostics.Stopwatch.GetTimestamp() - start);
        }
        finally
        {
            planar.Release();
        }
    }

    private bool CloseEncoder()
    {
        _encoder?.Dispose();
        _encoder = null;
        _encoderOptions = null;
        return true;
    }

    // Once a second: camera.h264.
    private void Tick()
    {
        long now = loop.Time.GetTimestamp();
        double seconds = Math.Max(loop.Time.GetElapsedTime(_lastTick, now).TotalSeconds, 1e-3);
        _lastTick = now;
        double fps = Math.Round((Encoded - _framesCounted) / seconds, 1);
        double kbps = Math.Round((EncodedBytes - _bytesCounted) * 8 / seconds / 1000, 1);
        _framesCounted = Encoded;
        _bytesCounted = EncodedBytes;
        var times = _times.Take();
        // OpenH264's version is known once it was loaded (for the first viewer).
        string? encoder = camera.Settings.DeliversH264 ? "camera"
            : Choice.Kind == "openh264" ? Native.OpenH264.LoadedVersion ?? Choice.Name
            : Choice.CanEncode ? Choice.Name : null;
        string? error = Unavailable;
        // {encoder, fps, kbps, encodeMs: {p50Ms, p99Ms}, drops, error}; nulls left out.
        state.PublishWritten("camera.h264", w =>
        {
            w.WriteStartObject();
            if (encoder != null) w.WriteString("encoder", encoder);
            w.WriteNumber("fps", fps);
            w.WriteNumber("kbps", kbps);
            if (times.Count > 0) times.WritePercentiles(w, "encodeMs");
            w.WriteNumber("drops", Drops);
            if (error != null) w.WriteString("error", error);
            w.WriteEndObject();
        });
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "H.264: encoding with {Encoder} when someone watches")]
        public static partial void Encoder(ILogger logger, string encoder);

        [LoggerMessage(Level = LogLevel.Warning, Message = "H.264: a camera picture was not encoded: {Problem}")]
        public static partial void BadPicture(ILogger logger, string problem);

        [LoggerMessage(Level = LogLevel.Warning, Message = "H.264: {Problem}; H.264 only from cameras that deliver it")]
        public static partial void NoEncoder(ILogger logger, string problem);
    }
}
