using Edge.Runtime;

namespace Edge.Camera;

/// <summary>
/// One consumer's slot in a <see cref="FrameHub"/>: at most one pending frame, replaced by each newer
/// one. A viewer capped by <c>minInterval</c> (?fps=) takes the newest frame once per interval.
/// Loop only.
/// </summary>
public sealed class FrameViewer : IDisposable
{
    private readonly FrameHub _hub;
    private readonly EventLoop _loop;
    private readonly TimeSpan _minInterval;
    private Frame? _pending;
    private TaskCompletionSource<Frame?>? _waiting;
    private long _lastTaken = long.MinValue;
    private long _skipsSeen;
    private bool _disposed, _started, _needKey, _askedKey;

    internal FrameViewer(FrameHub hub, EventLoop loop, TimeSpan minInterval)
    {
        _hub = hub;
        _loop = loop;
        _minInterval = minInterval;
    }

    /// <summary>True while a frame waits for this viewer to take it.</summary>
    public bool HasPending => _pending != null;

    /// <summary>Frames this viewer never got because it was still busy with an older one.</summary>
    public long Skipped { get; private set; }

    internal void Offer(Frame frame)
    {
        if (_waiting is { } waiting)
        {
            _waiting = null;
            if (waiting.TrySetResult(frame.AddRef())) return;
            frame.Release(); // that wait was canceled
        }
        if (_pending != null)
        {
            _pending.Release();
            // A capped viewer passes frames over by request; only an uncapped one that is behind is slow.
            if (!Capped)
            {
                Skipped++;
                _hub.CountSkip();
            }
        }
        _pending = frame.AddRef();
    }

    /// <summary>The frame last taken reached the viewer (its write completed).</summary>
    public void Delivered() => _hub.CountDelivered();

    /// <summary>The viewer is dropped: its connection took no data for too long.</summary>
    public void Stalled() => _hub.CountStalled();

    private bool Capped
        => _minInterval > TimeSpan.Zero && _lastTaken != long.MinValue && _loop.Time.GetElapsedTime(_lastTaken) < _minInterval;

    /// <summary>
    /// The next frame (the caller owns a reference and counts it delivered once written); null once disposed.
    /// With a cap, waits until the interval since the last frame has passed, then takes the newest.
    /// </summary>
    public async ValueTask<Frame?> Next(CancellationToken cancellationToken)
    {
        _loop.VerifyAccess();
        if (_minInterval > TimeSpan.Zero && _lastTaken != long.MinValue)
        {
            var wait = _minInterval - _loop.Time.GetElapsedTime(_lastTaken);
            if (wait > TimeSpan.Zero) await _loop.Delay(wait, cancellationToken);
        }
        Frame? frame;
        if (_pending != null)
        {
            frame = _pending;
            _pending = null;
        }
        else
        {
            if (_disposed) return null;
            var waiting = new TaskCompletionSource<Frame?>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiting = waiting;
            using (cancellationToken.Register(() => _loop.Post(() => waiting.TrySetCanceled(cancellationToken))))
                frame = await waiting.Task;
        }
        _lastTaken = _loop.Time.GetTimestamp();
        return frame;
    }

    /// <summary>
    /// For H.264: the next frame a decoder can use. A viewer starts on a key frame, and a skipped frame
    /// breaks the pictures after it up to the next key frame: frames up to it are released unseen, and
    /// the hub's encoder is asked for one (once per wait) so that the wait lasts a frame, not a GOP.
    /// </summary>
    public async ValueTask<Frame?> NextDecodable(CancellationToken cancellationToken)
    {
        if (!_started)
        {
            _started = _needKey = true;
            _skipsSeen = Skipped;
        }
        while (true)
        {
            if (_needKey && !_askedKey)
            {
                _askedKey = true;
                _hub.RequestKeyFrame();
            }
            var frame = await Next(cancellationToken);
            if (frame == null) return null;
            if (Skipped != _skipsSeen)
            {
                _skipsSeen = Skipped;
                _needKey = true;
            }
            if (_needKey && !frame.IsKeyFrame)
            {
                frame.Release();
                continue;
            }
            _needKey = _askedKey = false;
            return frame;
        }
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _hub.Remove(this);
        _pending?.Release();
        _pending = null;
        _waiting?.TrySetResult(null);
        _waiting = null;
    }
}
