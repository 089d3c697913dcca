namespace Edge.Camera;

/// <summary>A stream's size and frame rate.</summary>
public readonly record struct VideoShape(int Width, int Height, int Fps);

/// <summary>
/// What the camera really delivers, which its settings only ask for: a pipe or a driver may send
/// another size or rate. The size comes from the frames (JPEG headers as the source checked them,
/// the SPS of H.264 key frames), the rate is measured over 2 s of consecutive frames. Loop only.
/// </summary>
public sealed class DeliveredShape(TimeProvider time)
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(2);
    // A longer gap is a pause (nobody watched), not a slow camera.
    private static readonly TimeSpan Pause = TimeSpan.FromSeconds(1);

    private long _windowStart, _last;
    private int _framesInWindow;

    /// <summary>0 until a frame said.</summary>
    public int Width { get; private set; }

    public int Height { get; private set; }

    /// <summary>0 until 2 s of frames were seen.</summary>
    public int Fps { get; private set; }

    public void Observe(Frame frame)
    {
        if (frame.Format != PixelFormat.H264) (Width, Height) = (frame.Width, frame.Height);
        else if (frame.IsKeyFrame && H264Sps.TryGetSize(frame.Data, out int width, out int height)) (Width, Height) = (width, height);
        long now = frame.Timestamp;
        if (_framesInWindow > 0 && time.GetElapsedTime(_last, now) > Pause) _framesInWindow = 0;
        if (_framesInWindow == 0) _windowStart = now;
        _framesInWindow++;
        _last = now;
        var span = time.GetElapsedTime(_windowStart, now);
        if (span < Window) return;
        Fps = Math.Max(1, (int)Math.Round((_framesInWindow - 1) / span.TotalSeconds));
        (_windowStart, _framesInWindow) = (now, 1);
    }

    /// <summary>New settings: nothing is known about what they will deliver.</summary>
    public void Reset() => (Width, Height, Fps, _framesInWindow) = (0, 0, 0, 0);
}
