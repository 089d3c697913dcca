namespace Edge.Camera;

/// <summary>
/// Frames kept by reference for a while (an HLS segment, a GOP waiting to be written): each one added
/// is referenced once more, <see cref="Release"/> lets them all go. Loop only.
/// </summary>
public class HeldFrames
{
    private readonly List<Frame> _frames = [];

    public IReadOnlyList<Frame> Frames => _frames;

    public long Bytes { get; private set; }

    /// <summary>Keeps a reference to <paramref name="frame"/>.</summary>
    public void Add(Frame frame)
    {
        _frames.Add(frame.AddRef());
        Bytes += frame.Length;
    }

    /// <summary>Drops the references (a reader that still needs one holds its own).</summary>
    public void Release()
    {
        foreach (var frame in _frames) frame.Release();
        _frames.Clear();
        Bytes = 0;
    }
}
