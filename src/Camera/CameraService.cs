using Edge.Runtime;
using Microsoft.Extensions.Logging;

namespace Edge.Camera;

/// <summary>
/// Runs the configured camera under the supervisor: a capture thread per source, and on the loop the
/// pipeline that checks MJPEG frames, schedules raw frames for encoding on the worker pool (at most
/// one per worker in flight; when all are busy the oldest waiting frame is dropped) and publishes
/// results to the hubs. An H.264 camera's units are decoded (OpenH264, one at a time, from a key
/// frame) while someone wants JPEG or raw pictures. Encoding and decoding stop while nobody watches.
/// <see cref="Apply"/> restarts the source with new settings. Loop only, except for the capture thread it starts.
/// </summary>
public sealed partial class CameraService
{
    /// <summary>A source that delivers no frame and no heartbeat for this long is treated as failed and restarted.</summary>
    public static readonly TimeSpan StallTimeout = TimeSpan.FromSeconds(10);

    private readonly EventLoop _loop;
    private readonly DeliveredShape _delivered;
    private readonly WorkerPool _pool;
    private readonly Func<CameraSettings, IFrameSource> _createSource;
    private readonly ILogger _logger;
    private CancellationTokenSource? _restart;
    private CaptureOutput? _output;
    private Frame? _waiting;
    private int _inFlight;
    // The H.264 decoder: used by one pool job at a time (_decoding), made at the first unit, closed when nobody wants JPEG.
    private H264Decoder? _decoder;
    private bool _decoding, _needKey = true;
    // Whether OpenH264 looks installed (a few stat calls; it is loaded only when a unit is decoded), and why not once it failed to load.
    private string? _decoderProblem = Native.OpenH264.ProblemWithoutLoading();
    // Why this source's stream cannot be decoded (4:4:4, say): until the source restarts.
    private string? _streamProblem;
    private readonly LatencyWindow _encodeTimes = new();
    private readonly RateLimitedLog _decodeProblems;
    // Frame numbers continue across sources, so a restarted camera's frames are never taken for stale ones.
    private readonly System.Runtime.CompilerServices.StrongBox<long> _sequence = new();

    public CameraService(EventLoop loop, WorkerPool pool, CameraSettings settings, Func<CameraSettings, IFrameSource> createSource,
        ILogger logger)
    {
        _loop = loop;
        _delivered = new DeliveredShape(loop.Time);
        _pool = pool;
        _createSource = createSource;
        _logger = logger;
        _decodeProblems = new RateLimitedLog(logger, loop.Time, perMinute: 6);
        Settings = settings;
        Jpeg = new FrameHub(loop);
        H264 = new FrameHub(loop);
        Raw = new FrameHub(loop);
        Jpeg.DemandChanged += _ =>
        {
            DemandChanged();
            CloseDecoderIfUnwanted();
        };
        H264.DemandChanged += _ => DemandChanged();
        Raw.DemandChanged += demand =>
        {
            DemandChanged();
            if (!demand) Raw.Clear(); // a picture nobody will take (3 MB at 1080p) is not kept
            CloseDecoderIfUnwanted();
        };
    }

    /// <summary>JPEG frames: MJPEG viewers, snapshots.</summary>
    public FrameHub Jpeg { get; }

    /// <summary>H.264 access units (for RTSP): an H.264 camera's own, or Edge's encoder's (Edge.Video).</summary>
    public FrameHub H264 { get; }

    /// <summary>
    /// The pictures as the camera takes them, for encoders and analysers: planar YUV, or the JPEGs of an
    /// MJPEG camera; an H.264 camera's decoded to planar YUV. Published only while someone takes them.
    /// </summary>
    public FrameHub Raw { get; }

    /// <summary>Someone wants frames of any kind: sources that can rest without it do.</summary>
    public bool HasDemand => Jpeg.HasDemand || H264.HasDemand || Raw.HasDemand;

    private void DemandChanged()
    {
        if (_output != null) _output.Demand = HasDemand;
    }

    public CameraSettings Settings { get; private set; }

    /// <summary>Raised when <see cref="Apply"/> changed the source's or the H.264 settings (after they took effect).</summary>
    public event Action? SettingsChanged;

    /// <summary>Raised when <see cref="Description"/> or <see cref="LastError"/> change.</summary>
    public event Action? StatusChanged;

    /// <summary>What runs now ("test pattern 1280×720 at 30 fps"), or null between sources.</summary>
    public string? Description { get; private set; }

    /// <summary>
    /// What the camera delivers (size and frame rate), as its frames say; what the settings ask for
    /// until frames have said. ONVIF and SDP advertise this, not the settings.
    /// </summary>
    public VideoShape Shape => new(
        _delivered.Width > 0 ? _delivered.Width : Settings.Width,
        _delivered.Height > 0 ? _delivered.Height : Settings.Height,
        _delivered.Fps > 0 ? _delivered.Fps : Settings.Fps);

    /// <summary>Why there is no JPEG now (MJPEG, snapshots, RTSP <c>/stream</c>), or null when there is.</summary>
    public string? JpegUnavailable => Settings.DeliversH264 && (_decoderProblem ?? _streamProblem) is { } problem
        ? $"The camera delivers H.264 and Edge cannot decode it for MJPEG and snapshots ({problem}); its H.264 streams over RTSP /h264"
        : null;

    /// <summary>Why the last source failed, until one runs again.</summary>
    public string? LastError { get; private set; }

    /// <summary>Frames taken from sources since start (all counters here only grow).</summary>
    public long Captured { get; private set; }

    /// <summary>Raw frames encoded to JPEG by Edge.</summary>
    public long Encoded { get; private set; }

    /// <summary>
    /// Raw frames skipped because every worker was busy encoding, or whose encoding failed; H.264 units
    /// not decoded because the decoder was busy or failed.
    /// </summary>
    public long EncodeDrops { get; private set; }

    /// <summary>Frames the capture channel dropped because the pipeline was behind.</summary>
    public long CaptureDrops => _dropsBefore + (_output?.Dropped ?? 0);

    /// <summary>Broken frames the source rejected.</summary>
    public long Invalid => _invalidBefore + (_output?.Invalid ?? 0);

    /// <summary>Every encode time since start (for <c>/metrics</c>); recorded on the workers.</summary>
    public LatencyHistogram EncodeTimes { get; } = new();

    private long _dropsBefore, _invalidBefore;

    /// <summary>Encode times since the last call (the stats tick's window; valid until the next call).</summary>
    internal LatencyHistogram TakeEncodeTimes()
    {
        _loop.VerifyAccess();
        return _encodeTimes.Take();
    }

    /// <summary>
    /// A current JPEG picture (the latest if it is fresh, else the next one, waiting up to
    /// <see cref="CameraSettings.SnapshotTimeoutSeconds"/>); null when none came. The caller owns a reference.
    /// </summary>
    public Task<Frame?> Snapshot(CancellationToken cancellationToken)
        => Jpeg.Next(Settings.FreshFor(), TimeSpan.FromSeconds(Settings.SnapshotTimeoutSeconds), cancellationToken);

    /// <summary>
    /// Switches to <paramref name="settings"/> (already validated): the running source stops and a new one
    /// starts, unless only the H.264 settings changed.
    /// </summary>
    public void Apply(CameraSettings settings)
    {
        _loop.VerifyAccess();
        var previous = Settings;
        bool sameSource = settings.SameSource(previous);
        Settings = settings;
        if (!sameSource)
        {
            _delivered.Reset();
            _restart?.Cancel();
        }
        if (!sameSource || !settings.H264OrDefault().SameAs(previous.H264OrDefault())) SettingsChanged?.Invoke();
    }

    /// <summary>The supervised service: runs sources until <paramref name="cancellationToken"/> fires; throws when one fails.</summary>
    public async Task Run(CancellationToken cancellationToken)
    {
        _loop.VerifyAccess();
        while (!cancellationToken.IsCancellationRequested)
        {
            var settings = Settings;
            using var restart = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            _restart = restart;
            var source = _createSource(settings);
            var output = new CaptureOutput(_loop.Time, _logger, _sequence) { Demand = HasDemand };
            _output = output;
            Description = source.Description;
            StatusChanged?.Invoke();
            Log.Starting(_logger, source.Description);
            var capture = StartCapture(source, output, restart.Token);
            try
            {
                await Pipeline(output, settings, restart.Token);
                if (!restart.IsCancellationRequested) throw new CameraException("the camera stopped delivering frames");
            }
            catch (OperationCanceledException) when (restart.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                // New settings (Apply): not a failure; the next source starts below, at once.
            }
            // The capture thread's exception arrives as itself: WaitToReadAsync rethrows what the channel was completed with.
            catch (Exception e) when (e is not OperationCanceledException || !restart.IsCancellationRequested)
            {
                Fail(e);
                throw;
            }
            finally
            {
                restart.Cancel();
                await Finish(capture, output);
                _restart = null;
            }
            // Canceled: either shutdown (the loop ends) or new settings (the next source starts now).
            if (!cancellationToken.IsCancellationRequested)
            {
                Jpeg.Clear();
                H264.Clear();
                Raw.Clear();
            }
        }
    }

    private void Fail(Exception e)
    {
        LastError = e.Message;
        StatusChanged?.Invoke();
    }

    private async Task Finish(Task capture, CaptureOutput output)
    {
        if (!await Completes(capture, TimeSpan.FromSeconds(3)))
            Log.CaptureDidNotStop(_logger);
        while (output.Reader.TryRead(out var left)) left.Release();
        _waiting?.Release();
        _waiting = null;
        _needKey = true;
        _streamProblem = null;
        _dropsBefore += output.Dropped;
        _invalidBefore += output.Invalid;
        _output = null;
        Description = null;
    }

    private static async Task<bool> Completes(Task task, TimeSpan timeout)
    {
        try
        {
            await task.WaitAsync(timeout);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    private static Task StartCapture(IFrameSource source, CaptureOutput output, CancellationToken cancellationToken) =>
        DedicatedThread.Run("edge-capture", () =>
        {
            try
            {
                source.Run(output, cancellationToken);
                output.Complete();
            }
            catch (Exception e)
            {
                output.Complete(e);
            }
        });

    private async Task Pipeline(CaptureOutput output, CameraSettings settings, CancellationToken cancellationToken)
    {
        var reader = output.Reader;
        using var stall = new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, stall.Token);
        // Checked on the loop's heartbeat, not per frame: frames and the source's own heartbeats both count as signs of life.
        using var watchdog = _loop.Heartbeat.Subscribe(() =>
        {
            if (_loop.Time.GetElapsedTime(output.LastAlive) > StallTimeout) stall.Cancel();
        });
        bool running = false;
        while (true)
        {
            bool more;
            try { more = await reader.WaitToReadAsync(linked.Token); }
            catch (OperationCanceledException) when (stall.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new CameraException($"no frame from the camera for {StallTimeout.TotalSeconds:0} s");
            }
            if (!more) return;
            if (!running)
            {
                running = true;
                LastError = null;
                StatusChanged?.Invoke();
            }
            while (reader.TryRead(out var frame)) Process(frame, settings.Quality);
        }
    }

    private void Process(Frame frame, int quality)
    {
        Captured++;
        _delivered.Observe(frame);
        switch (frame.Format)
        {
            case PixelFormat.Jpeg:
                if (Raw.HasDemand) Raw.Publish(frame.AddRef());
                Jpeg.Publish(frame); // checked by the source, passed through without re-encoding
                break;
            case PixelFormat.H264:
                // Decoded while someone wants JPEG or raw pictures (motion detection).
                if ((Jpeg.HasDemand || Raw.HasDemand) && _decoderProblem == null && _streamProblem == null) Decode(frame.AddRef(), quality);
                H264.Publish(frame);
                break;
            default:
                if (Raw.HasDemand) Raw.Publish(frame.AddRef());
                EncodeJpeg(frame, quality);
                break;
        }
    }

    // Takes over the caller's reference to a planar frame.
    private void EncodeJpeg(Frame frame, int quality)
    {
        if (!Jpeg.HasDemand)
        {
            frame.Release(); // nobody watches: no encoding
            return;
        }
        if (_inFlight < _pool.Workers)
        {
            _ = Encode(frame, quality);
            return;
        }
        if (_waiting != null)
        {
            _waiting.Release();
            EncodeDrops++;
        }
        _waiting = frame;
    }

    // A unit skipped breaks the pictures after it: while the decoder is busy, units are dropped up to the next key frame.
    private void Decode(Frame unit, int quality)
    {
        if (_decoding || (_needKey && !unit.IsKeyFrame))
        {
            if (_decoding)
            {
                EncodeDrops++;
                _needKey = true;
            }
            unit.Release();
            return;
        }
        _needKey = false;
        _ = DecodeThenEncode(unit, quality);
    }

    private async Task DecodeThenEncode(Frame unit, int quality)
    {
        _decoding = true;
        try
        {
            var picture = await _pool.Submit(_ => (_decoder ??= new H264Decoder()).Decode(unit), PoolFullMode.Reject);
            if (picture != null)
            {
                if (Raw.HasDemand) Raw.Publish(picture.AddRef());
                EncodeJpeg(picture, quality);
            }
        }
        catch (Exception e)
        {
            EncodeDrops++;
            _needKey = true;
            if (e is DllNotFoundException) _decoderProblem = e.Message; // no JPEG from this camera until Edge restarts
            if (e is NotSupportedException) _streamProblem = e.Message; // nor from this stream until the source restarts
            if (e is not PoolFullException && _decodeProblems.Admit()) Log.DecodeFailed(_logger, e.Message);
        }
        finally
        {
            unit.Release();
            _decoding = false;
            CloseDecoderIfUnwanted();
        }
    }

    // An H.264 camera's decoder serves JPEG and raw pictures; with neither wanted it goes (not while it decodes).
    private void CloseDecoderIfUnwanted()
    {
        if (!Jpeg.HasDemand && !Raw.HasDemand && !_decoding) CloseDecoder();
    }

    // Loop only, never while a decode runs; freeing the decoder's buffers takes microseconds.
    private void CloseDecoder()
    {
        _decoder?.Dispose();
        _decoder = null;
        _needKey = true;
    }

    private async Task Encode(Frame raw, int quality)
    {
        _inFlight++;
        try
        {
            var (jpeg, took) = await _pool.Submit(_ =>
            {
                long start = System.Diagnostics.Stopwatch.GetTimestamp();
                var result = JpegEncoder.ForThisThread.Encode(raw, quality);
                return (result, System.Diagnostics.Stopwatch.GetTimestamp() - start);
            }, PoolFullMode.Reject);
            // Recorded on the loop, so the per-second window is swapped without racing a worker.
            _encodeTimes.RecordTicks(took);
            EncodeTimes.RecordTicks(took);
            Encoded++;
            Jpeg.Publish(jpeg);
        }
        catch (PoolFullException)
        {
            EncodeDrops++; // the pool is busy with other work: this frame is skipped, never waited for
        }
        catch (Exception e)
        {
            EncodeDrops++;
            Log.EncodeFailed(_logger, e, e.Message);
        }
        finally
        {
            raw.Release();
            _inFlight--;
        }
        if (_waiting != null && _inFlight < _pool.Workers)
        {
            var next = _waiting;
            _waiting = null;
            _ = Encode(next, quality);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Camera: starting {Source}")]
        public static partial void Starting(ILogger logger, string source);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Camera: the capture thread did not stop within 3 s")]
        public static partial void CaptureDidNotStop(ILogger logger);

        [LoggerMessage(Level = LogLevel.Warning,
            Message = "Camera: decoding the camera's H.264 failed: {Message}; again from the next key frame")]
        public static partial void DecodeFailed(ILogger logger, string message);

        [LoggerMessage(Level = LogLevel.Error, Message = "Camera: encoding a frame failed: {Message}")]
        public static partial void EncodeFailed(ILogger logger, Exception exception, string message);
    }
}
