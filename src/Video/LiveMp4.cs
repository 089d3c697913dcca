using Edge.Camera;
using Edge.Runtime;
using Edge.State;
using Edge.Video.Mp4;
using Microsoft.Extensions.Logging;

namespace Edge.Video;

/// <summary>
/// The camera's H.264 as fragmented MP4 for live viewers (<c>/live.mp4</c>, the WebSocket player, HLS):
/// each access unit becomes one movie fragment, made once on the loop and shared by reference with
/// every viewer of <see cref="Fragments"/>. Runs while someone wants fragments. The first fragment is
/// a key frame; new parameter sets give a new <see cref="Track"/> before their key frame's fragment is
/// published. Fragment times count from <see cref="Epoch"/> in <see cref="Mp4Track.Timescale"/> units.
/// State <c>camera.live</c>, once a second: {viewers, skips (fragments slow viewers missed),
/// stalledViewers (dropped for taking nothing)}. Loop only.
/// </summary>
public sealed partial class LiveMp4(EventLoop loop, CameraService camera, StateStore state, ILogger logger)
{
    private readonly RateLimitedLog _badKeyFrames = new(logger, loop.Time, perMinute: 1);
    private TaskCompletionSource _wanted = new();
    private CancellationTokenSource? _session;

    /// <summary>Movie fragments of one access unit each (<see cref="PixelFormat.Mp4Fragment"/>), key frames marked.</summary>
    public FrameHub Fragments { get; } = new(loop);

    /// <summary>The track of the fragments published now; null before the first key frame.</summary>
    public Mp4Track? Track { get; private set; }

    /// <summary>Counts track changes: a viewer that started with another number needs the new init segment.</summary>
    public int TrackVersion { get; private set; }

    /// <summary>When the picture at media time zero was captured.</summary>
    public DateTimeOffset Epoch { get; private set; }

    public async Task Run(CancellationToken cancellationToken)
    {
        loop.VerifyAccess();
        Fragments.DemandChanged += DemandChanged;
        Fragments.KeyFrameWanted += camera.H264.RequestKeyFrame;
        using var beat = loop.Heartbeat.Subscribe(PublishState);
        try
        {
            while (true)
            {
                var wanted = _wanted.Task;
                if (Fragments.HasDemand) await PackageWhileWanted(cancellationToken);
                else await wanted.WaitAsync(cancellationToken);
            }
        }
        finally
        {
            Fragments.DemandChanged -= DemandChanged;
            Fragments.KeyFrameWanted -= camera.H264.RequestKeyFrame;
            Fragments.EndAll();
        }
    }

    private void PublishState() => state.PublishWritten("camera.live", w =>
    {
        w.WriteStartObject();
        w.WriteNumber("viewers", Fragments.ViewerCount);
        w.WriteNumber("skips", Fragments.ViewerSkips);
        w.WriteNumber("stalledViewers", Fragments.StalledViewers);
        w.WriteEndObject();
    });

    private void DemandChanged(bool demand)
    {
        if (demand)
        {
            var wanted = _wanted;
            _wanted = new TaskCompletionSource();
            wanted.TrySetResult();
        }
        else
        {
            _session?.Cancel();
        }
    }

    private async Task PackageWhileWanted(CancellationToken cancellationToken)
    {
        using var session = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _session = session;
        using var source = camera.H264.AddViewer(TimeSpan.Zero);
        var packager = new Packager(this, loop.Time, camera.Shape.Fps);
        try
        {
            while (await source.NextDecodable(session.Token) is { } accessUnit)
            {
                try
                {
                    // Without parameter sets nothing after this key frame can be decoded by a new viewer.
                    if (!packager.Add(accessUnit) && _badKeyFrames.Admit()) Log.KeyFrameWithoutParameters(logger);
                }
                finally
                {
                    accessUnit.Release();
                }
            }
            // The H.264 stream ended (shutdown): so do the viewers' streams.
            Fragments.EndAll();
        }
        catch (OperationCanceledException) when (session.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // Nobody watches any more.
        }
        finally
        {
            _session = null;
            Fragments.Clear();
        }
    }

    // One packaging run: its epoch, fragment numbers, the last frame's time and the usual gap between frames.
    //
    // A live sample's duration is not known when it is sent (the next frame has not come yet), and MSE players
    // take a gap of more than twice the previous sample's duration for a break and drop every frame up to the
    // next key frame. So each sample claims three times the usual gap (a picture shows until the next replaces it):
    // a late frame or a few the encoder dropped do not freeze the picture. A longer gap asks for a key frame.
    private sealed class Packager(LiveMp4 live, TimeProvider time, int fps)
    {
        private const long MaxDuration = Mp4Track.Timescale;
        private long _epoch = long.MinValue;
        private long _lastTime, _usualGap = Mp4Track.Timescale / Math.Max(fps, 1), _lastDuration;
        private uint _sequence;
        private bool _broken = true;

        /// <summary>
        /// Publishes the access unit's fragment; false for a key frame without parameter sets (dropped, as are
        /// the frames after it).
        /// </summary>
        public bool Add(Frame accessUnit)
        {
            var data = accessUnit.Data;
            if (accessUnit.IsKeyFrame)
            {
                if (live.Track == null || !live.Track.Matches(data))
                {
                    var track = Mp4Track.From(data);
                    if (track == null)
                    {
                        _broken = true;
                        return false;
                    }
                    live.Track = track;
                    live.TrackVersion++;
                }
                _broken = false;
            }
            if (_broken) return true;
            if (_epoch == long.MinValue)
            {
                _epoch = accessUnit.Timestamp;
                live.Epoch = time.GetUtcNow() - time.GetElapsedTime(accessUnit.Timestamp);
            }
            // 100 ns ticks to 90 kHz.
            long at = Math.Max(_lastTime, time.GetElapsedTime(_epoch, accessUnit.Timestamp).Ticks * 9 / 1000);
            if (_sequence > 0)
            {
                long gap = at - _lastTime;
                if (gap > 2 * _lastDuration && !accessUnit.IsKeyFrame) live.Fragments.RequestKeyFrame();
                _usualGap += (gap - _usualGap) / 8;
            }
            _lastTime = at;
            _lastDuration = Math.Clamp(3 * _usualGap, 1, MaxDuration);
            var sample = new Mp4Sample(accessUnit.Memory, (uint)_lastDuration, accessUnit.IsKeyFrame);
            var samples = new ReadOnlySpan<Mp4Sample>(in sample);
            var fragment = Frame.Rent(Mp4Fragment.Size(samples), PixelFormat.Mp4Fragment, accessUnit.Width, accessUnit.Height,
                accessUnit.Sequence, accessUnit.Timestamp, accessUnit.IsKeyFrame);
            Mp4Fragment.Write(fragment.Buffer, ++_sequence, (ulong)at, samples);
            live.Fragments.Publish(fragment);
            return true;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning,
            Message = "An H.264 key frame came without SPS and PPS: live MP4 waits for one that has them")]
        public static partial void KeyFrameWithoutParameters(ILogger logger);
    }
}
