using Edge.Video.Mp4;
using System.Buffers;

namespace Edge.Recording;

/// <summary>
/// One recording file being written: the init segment, then one movie fragment per GOP, each written
/// with one write and flushed to the card (fsync) before the next: a file cut by power loss or
/// kill -9 plays up to its last whole fragment. Used by one pool job at a time.
/// </summary>
public sealed class SegmentFile : IDisposable
{
    private readonly FileStream _file;
    private uint _sequence;

    private SegmentFile(FileStream file, string name, long start)
    {
        _file = file;
        Name = name;
        Start = start;
    }

    public string Name { get; }

    /// <summary>Capture timestamp at media time zero.</summary>
    public long Start { get; }

    public long Bytes { get; private set; }

    /// <summary>Media time written so far, in <see cref="Mp4Track.Timescale"/> units.</summary>
    public ulong Duration { get; private set; }

    /// <summary>Creates the file (never replacing one) and writes the init segment. Blocking.</summary>
    public static SegmentFile Create(string path, Mp4Track track, long start)
    {
        var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, bufferSize: 0);
        try
        {
            file.Write(track.InitSegment);
            file.Flush(flushToDisk: true);
            return new SegmentFile(file, Path.GetFileName(path), start) { Bytes = track.InitSegment.Length };
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Appends one fragment starting at media time <paramref name="at"/>. Blocking.</summary>
    public void Append(ReadOnlySpan<Mp4Sample> samples, ulong at)
    {
        int size = Mp4Fragment.Size(samples);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(size);
        try
        {
            Mp4Fragment.Write(buffer, ++_sequence, at, samples);
            _file.Write(buffer, 0, size);
            _file.Flush(flushToDisk: true);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        Bytes += size;
        ulong end = at;
        foreach (var sample in samples) end += sample.Duration;
        Duration = end;
    }

    public void Dispose() => _file.Dispose();
}
