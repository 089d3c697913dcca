using Edge.Camera;

namespace Edge.Video.Mp4;

/// <summary>
/// One movie fragment: <c>moof</c> (sequence number, decode time of its first sample, each sample's
/// duration, size and key flag) and the <c>mdat</c> holding the samples, their NAL units with 4-byte
/// lengths instead of Annex B start codes (access unit delimiters left out). A file of these after an
/// init segment plays up to its last whole fragment, wherever it was cut. No allocation.
/// </summary>
public static class Mp4Fragment
{
    private const int SampleEntryBytes = 12;
    // moof 8, mfhd 16, traf 8, tfhd 16, tfdt 20, trun 20 before its entries; mdat's header 8.
    private const int FixedBytes = 8 + 16 + 8 + 16 + 20 + 20 + 8;
    private const uint SyncSample = 0x02000000; // depends on no other sample
    private const uint NonSyncSample = 0x01010000; // depends on others, not a sync sample
    private const byte AccessUnitDelimiter = 9;

    /// <summary>The exact size of the fragment <see cref="Write"/> makes of <paramref name="samples"/>.</summary>
    public static int Size(ReadOnlySpan<Mp4Sample> samples)
    {
        int size = FixedBytes + samples.Length * SampleEntryBytes;
        foreach (var sample in samples) size += PayloadBytes(sample.AccessUnit.Span);
        return size;
    }

    /// <summary>Writes the fragment; returns its length (<see cref="Size"/>).</summary>
    public static int Write(Span<byte> destination, uint sequence, ulong baseDecodeTime, ReadOnlySpan<Mp4Sample> samples)
    {
        var box = new BoxWriter(destination);
        int moof = box.Begin("moof"u8);
        int mfhd = box.BeginFull("mfhd"u8, 0, 0);
        box.UInt32(sequence);
        box.End(mfhd);
        int traf = box.Begin("traf"u8);
        int tfhd = box.BeginFull("tfhd"u8, 0, 0x020000); // offsets count from the moof
        box.UInt32(Mp4InitSegment.TrackId);
        box.End(tfhd);
        int tfdt = box.BeginFull("tfdt"u8, 1, 0);
        box.UInt64(baseDecodeTime);
        box.End(tfdt);
        int trun = box.BeginFull("trun"u8, 0, 0x000701); // data offset; per sample duration, size, flags
        box.UInt32((uint)samples.Length);
        int dataOffset = box.Position;
        box.UInt32(0);
        foreach (var sample in samples)
        {
            box.UInt32(sample.Duration);
            box.UInt32((uint)PayloadBytes(sample.AccessUnit.Span));
            box.UInt32(sample.KeyFrame ? SyncSample : NonSyncSample);
        }
        box.End(trun);
        box.End(traf);
        box.End(moof);
        box.PatchUInt32(dataOffset, (uint)(box.Position - moof + 8));

        int mdat = box.Begin("mdat"u8);
        foreach (var sample in samples) WritePayload(ref box, sample.AccessUnit.Span);
        box.End(mdat);
        return box.Position;
    }

    private static int PayloadBytes(ReadOnlySpan<byte> accessUnit)
    {
        int bytes = 0, position = 0;
        while (H264Nal.Next(accessUnit, ref position, out int start, out int length))
            if ((accessUnit[start] & 0x1F) != AccessUnitDelimiter) bytes += 4 + length;
        return bytes;
    }

    private static void WritePayload(ref BoxWriter box, ReadOnlySpan<byte> accessUnit)
    {
        int position = 0;
        while (H264Nal.Next(accessUnit, ref position, out int start, out int length))
        {
            if ((accessUnit[start] & 0x1F) == AccessUnitDelimiter) continue;
            box.UInt32((uint)length);
            box.Bytes(accessUnit.Slice(start, length));
        }
    }
}
