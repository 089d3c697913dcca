using Edge.Camera;
using Edge.Video.Mp4;

namespace Edge.Web;

/// <summary>
/// A live MP4 viewer that joined: its slot, the key frame's fragment it starts with, and the track that
/// fragment belongs to.
/// </summary>
public sealed class LiveViewer(FrameViewer viewer, Frame first, Mp4Track track, int version)
{
    private Frame? _first = first;

    public FrameViewer Viewer { get; } = viewer;

    public Mp4Track Track { get; } = track;

    /// <summary>The track version it started with: a key frame of another version ends its stream.</summary>
    public int Version { get; } = version;

    /// <summary>The stream itself ended (Edge is stopping), rather than the viewer.</summary>
    public bool Ended { get; set; }

    /// <summary>The first fragment; the caller owns its reference.</summary>
    public Frame? TakeFirst()
    {
        var first = _first;
        _first = null;
        return first;
    }

    /// <summary>Leaves the stream (a first fragment never sent is released).</summary>
    public void Release()
    {
        TakeFirst()?.Release();
        Viewer.Dispose();
    }
}
