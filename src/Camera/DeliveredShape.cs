namespace Edge.Camera;

/// <summary>A stream's size and frame rate.</summary>
public readonly record struct VideoShape(int Width, int Height, int Fps);

/// <summary>
/// What the camera really delivers, which its settings only ask for: a pipe or a driver may send
/// another size or rate. The size comes from the frames (JPEG headers as the source checked them,
/// the SPS of H.264 key frames); the rate from the last 31 frame intervals, read again each time all
/// 31 are new, leaving out those far from their median, so a burst (an encoder starting, a pipe
/// catching up) does not count.
/// Loop only; no allocation.
/// </summary>
public sealed class DeliveredShape(TimeProvider time)
{
    // A longer gap is a pause, not a slow camera.
    private static readonly TimeSpan Pause = TimeSpan.FromSeconds(1);
    private const int Intervals = 31;

    private readonly long[] _intervals = new long[Intervals];
    private readonly long[] _sorted = new long[Intervals];
    private int _count, _next;
    private long _last = long.MinValue;

    /// <summary>0 until a frame said.</summary>
    public int Width { get; private set; }

    public int Height { get; private set; }

    /// <summary>0 until enough frame intervals were seen.</summary>
    public int Fps { get; private set; }

    public void Observe(Frame frame)
    {
        if (frame.Format != PixelFormat.H264) (Width, Height) = (frame.Width, frame.Height);
        else if (frame.IsKeyFrame && H264Sps.TryGetSize(frame.Data, out int width, out int height)) (Width, Height) = (width, height);
        long now = frame.Timestamp, last = _last;
        _last = now;
        if (last == long.MinValue) return;
        // A pause (nobody watched) is no interval, nor are frames read in one go.
        var gap = time.GetElapsedTime(last, now);
        if (gap > Pause || gap <= TimeSpan.Zero) return;
        _intervals[_next] = now - last;
        _next = (_next + 1) % Intervals;
        _count = Math.Min(_count + 1, Intervals);
        // A first guess from half the intervals, then a fresh reading from each full round.
        if (!(Fps == 0 && _count == Intervals / 2) && _next != 0) return;
        Array.Copy(_intervals, _sorted, _count);
        Array.Sort(_sorted, 0, _count);
        // The mean of the intervals near the median: pacing jitter (37 ms, 46 ms, 37 ms…) averages
        // out, while a burst's near-zero intervals and a hiccup's long one are left out.
        long median = _sorted[_count / 2], sum = 0;
        int used = 0;
        for (int i = 0; i < _count; i++)
        {
            if (_sorted[i] < median / 4 || _sorted[i] > median * 4) continue;
            sum += _sorted[i];
            used++;
        }
        var mean = time.GetElapsedTime(0, sum / used);
        Fps = Math.Max(1, (int)Math.Round(1 / mean.TotalSeconds));
    }

    /// <summary>New settings: nothing is known about what they will deliver.</summary>
    public void Reset() => (Width, Height, Fps, _count, _next, _last) = (0, 0, 0, 0, 0, long.MinValue);
}
