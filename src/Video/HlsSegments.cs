using System.Globalization;
using System.Text;
using Edge.Runtime;
using Edge.Video.Mp4;

namespace Edge.Video;

/// <summary>
/// HLS (RFC 8216) made from <see cref="LiveMp4"/>'s fragments: segments of about a second, each starting
/// on a key frame the encoder is asked for, the newest few kept in memory (bounded in count and bytes).
/// Runs while players ask: it starts at the first request and stops a while after the last one. Loop only.
/// </summary>
public sealed class HlsSegments(EventLoop loop, LiveMp4 live)
{
    /// <summary>Segments the playlist lists; older ones are dropped.</summary>
    public const int KeptSegments = 6;

    /// <summary>Bytes all kept segments may hold (a camera with a long GOP keeps fewer).</summary>
    public const long MaxBytes = 16 << 20;

    /// <summary>How long a segment runs before the encoder is asked for the next one's key frame.</summary>
    public static readonly TimeSpan SegmentLength = TimeSpan.FromSeconds(1);

    /// <summary>Segments stop being made this long after the last request.</summary>
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(30);

    private readonly List<HlsSegment> _segments = [];
    private TaskCompletionSource _wanted = new(), _appended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _lastRequest, _nextNumber;
    private int _discontinuities, _targetSeconds = 1;

    /// <summary>A player asked for something: segments are made (again) and kept a while longer.</summary>
    public void Touch()
    {
        loop.VerifyAccess();
        _lastRequest = loop.Time.GetTimestamp();
        var wanted = _wanted;
        _wanted = new TaskCompletionSource();
        wanted.TrySetResult();
    }

    /// <summary>Waits until at least one segment is kept; false when none came within <paramref name="timeout"/>.</summary>
    public async Task<bool> WaitForSegment(TimeSpan timeout, CancellationToken cancellationToken)
    {
        loop.VerifyAccess();
        if (_segments.Count > 0) return true;
        try
        {
            await _appended.Task.WaitAsync(timeout, loop.Time, cancellationToken);
            return _segments.Count > 0;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    /// <summary>The media playlist of the segments kept now (at least one).</summary>
    public string Playlist()
    {
        loop.VerifyAccess();
        var text = new StringBuilder(256 + _segments.Count * 64);
        text.Append("#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-INDEPENDENT-SEGMENTS\n");
        text.Append(CultureInfo.InvariantCulture, $"#EXT-X-TARGETDURATION:{_targetSeconds}\n");
        text.Append(CultureInfo.InvariantCulture, $"#EXT-X-MEDIA-SEQUENCE:{(_segments.Count > 0 ? _segments[0].Number : _nextNumber)}\n");
        text.Append(CultureInfo.InvariantCulture, $"#EXT-X-DISCONTINUITY-SEQUENCE:{_discontinuities}\n");
        for (int i = 0; i < _segments.Count; i++)
        {
            var segment = _segments[i];
            if (i == 0 || segment.TrackVersion != _segments[i - 1].TrackVersion)
            {
                if (i > 0) text.Append("#EXT-X-DISCONTINUITY\n");
                text.Append(CultureInfo.InvariantCulture, $"#EXT-X-MAP:URI=\"init.mp4?v={segment.TrackVersion}\"\n");
            }
            text.Append(CultureInfo.InvariantCulture, $"#EXTINF:{segment.Duration.TotalSeconds:0.000},\n{segment.Number}.m4s\n");
        }
        return text.ToString();
    }

    /// <summary>A kept segment by number, or null.</summary>
    public HlsSegment? Segment(long number)
    {
        loop.VerifyAccess();
        foreach (var segment in _segments)
            if (segment.Number == number) return segment;
        return null;
    }

    /// <summary>The track of kept segments with this version, or null.</summary>
    public Mp4Track? Track(int version)
    {
        loop.VerifyAccess();
        foreach (var segment in _segments)
            if (segment.TrackVersion == version) return segment.Track;
        return null;
    }

    public async Task Run(CancellationToken cancellationToken)
    {
        loop.VerifyAccess();
        try
        {
            while (true)
            {
                var wanted = _wanted.Task;
                if (Requested) await SegmentWhileRequested(cancellationToken);
                else await wanted.WaitAsync(cancellationToken);
            }
        }
        finally
        {
            Drop();
        }
    }

    private bool Requested => _lastRequest != 0 && loop.Time.GetElapsedTime(_lastRequest) < IdleTimeout;

    private async Task SegmentWhileRequested(CancellationToken cancellationToken)
    {
        using var session = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var idle = loop.CreateTimer(() =>
        {
            if (!Requested) session.Cancel();
        }, IdleTimeout / 6, IdleTimeout / 6);
        using var viewer = live.Fragments.AddViewer(TimeSpan.Zero);
        HlsSegment? building = null;
        long skipped = 0, last = 0;
        var interval = TimeSpan.Zero;
        bool asked = false;
        try
        {
            while (await viewer.NextDecodable(session.Token) is { } fragment)
            {
                try
                {
                    // A skipped fragment leaves a hole: the segment being made is given up (NextDecodable waits for a key frame).
                    if (viewer.Skipped != skipped)
                    {
                        skipped = viewer.Skipped;
                        building?.Release();
                        building = null;
                    }
                    interval = last == 0 ? TimeSpan.Zero : loop.Time.GetElapsedTime(last, fragment.Timestamp);
                    last = fragment.Timestamp;
                    if (building != null && fragment.IsKeyFrame && (live.TrackVersion != building.TrackVersion
                        || loop.Time.GetElapsedTime(building.Start, fragment.Timestamp) >= SegmentLength / 2))
                    {
                        building.Duration = loop.Time.GetElapsedTime(building.Start, fragment.Timestamp);
                        Append(building);
                        building = null;
                    }
                    if (building == null)
                    {
                        if (!fragment.IsKeyFrame || live.Track is not { } track) continue;
                        building = new HlsSegment(_nextNumber++, track, live.TrackVersion, fragment.Timestamp);
                        asked = false;
                    }
                    building.Add(fragment);
                    if (building.Bytes > MaxBytes / 2)
                    {
                        // A key frame that never comes (a camera's own long GOP at a high rate): start again at the next.
                        building.Release();
                        building = null;
                    }
                    else if (!asked && loop.Time.GetElapsedTime(building.Start, fragment.Timestamp) + interval * 1.5 >= SegmentLength)
                    {
                        // The key frame asked for is the next frame: asked a frame early, the segment ends on time.
                        asked = true;
                        live.Fragments.RequestKeyFrame();
                    }
                }
                finally
                {
                    fragment.Release();
                }
            }
        }
        catch (OperationCanceledException) when (session.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // No player asked for a while.
        }
        finally
        {
            building?.Release();
            Drop();
        }
    }

    private void Append(HlsSegment segment)
    {
        _segments.Add(segment);
        _targetSeconds = Math.Max(_targetSeconds, (int)Math.Round(segment.Duration.TotalSeconds, MidpointRounding.AwayFromZero));
        long bytes = 0;
        foreach (var kept in _segments) bytes += kept.Bytes;
        while (_segments.Count > 1 && (_segments.Count > KeptSegments || bytes > MaxBytes))
        {
            var oldest = _segments[0];
            bytes -= oldest.Bytes;
            if (oldest.TrackVersion != _segments[1].TrackVersion) _discontinuities++;
            oldest.Release();
            _segments.RemoveAt(0);
        }
        var appended = _appended;
        _appended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        appended.TrySetResult();
    }

    // The playlist starts afresh after a pause: a player that comes back reloads it.
    private void Drop()
    {
        foreach (var segment in _segments) segment.Release();
        if (_segments.Count > 0) _discontinuities++;
        _segments.Clear();
    }
}
