using Edge.Camera;
using Edge.Video.Mp4;

namespace Edge.Recording;

/// <summary>
/// One group of pictures as it came from the encoder: a key frame and the frames up to the next one,
/// held by reference (pre-roll, or waiting to be written). Loop only, but for the pool job that writes it.
/// </summary>
public sealed class RecordedGop(Mp4Track track, long start) : HeldFrames
{
    public Mp4Track Track { get; } = track;

    /// <summary>Capture timestamp of its key frame.</summary>
    public long Start { get; } = start;

    /// <summary>Capture timestamp of the next GOP's key frame (or the stop), once known.</summary>
    public long End { get; set; }

    /// <summary>Its frames as samples, each lasting until the next frame (the last until <see cref="End"/>).</summary>
    public Mp4Sample[] Samples(TimeProvider time)
    {
        var samples = new Mp4Sample[Frames.Count];
        for (int i = 0; i < samples.Length; i++)
        {
            long next = i + 1 < Frames.Count ? Frames[i + 1].Timestamp : End;
            long ticks = time.GetElapsedTime(Frames[i].Timestamp, next).Ticks * 9 / 1000;
            samples[i] = new Mp4Sample(Frames[i].Memory, (uint)Math.Clamp(ticks, 1, Mp4Track.Timescale), Frames[i].IsKeyFrame);
        }
        return samples;
    }
}
