using Edge.Camera;
using Edge.Video.Mp4;

namespace Edge.Video;

/// <summary>
/// One HLS media segment: live fragments from a key frame up to the next segment's key frame, held by
/// reference (the bytes are the live viewers' own). Loop only.
/// </summary>
public sealed class HlsSegment(long number, Mp4Track track, int trackVersion, long start) : HeldFrames
{
    /// <summary>Its media sequence number (<c>N.m4s</c>).</summary>
    public long Number { get; } = number;

    public Mp4Track Track { get; } = track;

    public int TrackVersion { get; } = trackVersion;

    /// <summary>Capture timestamp of its first picture.</summary>
    public long Start { get; } = start;

    public TimeSpan Duration { get; set; }
}
