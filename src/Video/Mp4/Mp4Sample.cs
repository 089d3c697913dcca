namespace Edge.Video.Mp4;

/// <summary>
/// One access unit of a fragment: Annex B bytes, how long it shows (in <see cref="Mp4Track.Timescale"/>
/// units), key or not.
/// </summary>
public readonly struct Mp4Sample(ReadOnlyMemory<byte> accessUnit, uint duration, bool keyFrame)
{
    public ReadOnlyMemory<byte> AccessUnit { get; } = accessUnit;

    public uint Duration { get; } = duration;

    public bool KeyFrame { get; } = keyFrame;
}
