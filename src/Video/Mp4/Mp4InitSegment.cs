namespace Edge.Video.Mp4;

/// <summary>
/// The init segment of a fragmented MP4 with one H.264 track (ISO/IEC 14496-12 and -15): <c>ftyp</c>,
/// then a <c>moov</c> whose sample tables are empty and whose <c>mvex</c> says fragments follow.
/// </summary>
public static class Mp4InitSegment
{
    /// <summary>The track's ID in every box that names it.</summary>
    public const uint TrackId = 1;

    // Sample tables that hold no samples: stts, stsc and stco have no entries, stsz no size.
    private static ReadOnlySpan<byte> EmptyTables => "sttsstscstco"u8;

    private static ReadOnlySpan<byte> Matrix =>
    [
        0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0x40, 0, 0, 0,
    ];

    public static byte[] Build(ReadOnlySpan<byte> sps, ReadOnlySpan<byte> pps, int width, int height)
    {
        var bytes = new byte[700 + sps.Length + pps.Length];
        var box = new BoxWriter(bytes);
        int ftyp = box.Begin("ftyp"u8);
        box.Bytes("isom"u8);
        box.UInt32(0x200);
        box.Bytes("isomiso6avc1mp41"u8);
        box.End(ftyp);

        int moov = box.Begin("moov"u8);
        int mvhd = box.BeginFull("mvhd"u8, 0, 0);
        box.Zeros(8); // creation and modification time
        box.UInt32(1000); // movie timescale
        box.UInt32(0); // duration: unknown, fragments follow
        box.UInt32(0x00010000); // rate 1.0
        box.UInt16(0x0100); // volume 1.0
        box.Zeros(10);
        box.Bytes(Matrix);
        box.Zeros(24); // pre_defined
        box.UInt32(TrackId + 1); // next_track_ID
        box.End(mvhd);

        int trak = box.Begin("trak"u8);
        int tkhd = box.BeginFull("tkhd"u8, 0, 3); // enabled, in movie
        box.Zeros(8);
        box.UInt32(TrackId);
        box.Zeros(4);
        box.UInt32(0); // duration
        box.Zeros(8);
        box.UInt16(0); // layer
        box.UInt16(0); // alternate group
        box.UInt16(0); // volume: video
        box.Zeros(2);
        box.Bytes(Matrix);
        box.UInt32((uint)width << 16);
        box.UInt32((uint)height << 16);
        box.End(tkhd);

        int mdia = box.Begin("mdia"u8);
        int mdhd = box.BeginFull("mdhd"u8, 0, 0);
        box.Zeros(8);
        box.UInt32(Mp4Track.Timescale);
        box.UInt32(0);
        box.UInt16(0x55C4); // language "und"
        box.UInt16(0);
        box.End(mdhd);
        int hdlr = box.BeginFull("hdlr"u8, 0, 0);
        box.UInt32(0);
        box.Bytes("vide"u8);
        box.Zeros(12);
        box.Bytes("Edge\0"u8);
        box.End(hdlr);

        int minf = box.Begin("minf"u8);
        int vmhd = box.BeginFull("vmhd"u8, 0, 1);
        box.Zeros(8); // graphics mode, opcolor
        box.End(vmhd);
        int dinf = box.Begin("dinf"u8);
        int dref = box.BeginFull("dref"u8, 0, 0);
        box.UInt32(1);
        int url = box.BeginFull("url "u8, 0, 1); // the data is in this file
        box.End(url);
        box.End(dref);
        box.End(dinf);

        int stbl = box.Begin("stbl"u8);
        int stsd = box.BeginFull("stsd"u8, 0, 0);
        box.UInt32(1);
        WriteAvc1(ref box, sps, pps, width, height);
        box.End(stsd);
        for (int i = 0; i < EmptyTables.Length; i += 4)
        {
            int table = box.BeginFull(EmptyTables.Slice(i, 4), 0, 0);
            box.UInt32(0);
            box.End(table);
        }
        int stsz = box.BeginFull("stsz"u8, 0, 0);
        box.UInt32(0);
        box.UInt32(0);
        box.End(stsz);
        box.End(stbl);
        box.End(minf);
        box.End(mdia);
        box.End(trak);

        int mvex = box.Begin("mvex"u8);
        int trex = box.BeginFull("trex"u8, 0, 0);
        box.UInt32(TrackId);
        box.UInt32(1); // sample description index
        box.Zeros(12); // default duration, size and flags: each fragment says
        box.End(trex);
        box.End(mvex);
        box.End(moov);
        return bytes[..box.Position];
    }

    private static void WriteAvc1(ref BoxWriter box, ReadOnlySpan<byte> sps, ReadOnlySpan<byte> pps, int width, int height)
    {
        int avc1 = box.Begin("avc1"u8);
        box.Zeros(6);
        box.UInt16(1); // data reference index
        box.Zeros(16);
        box.UInt16((ushort)width);
        box.UInt16((ushort)height);
        box.UInt32(0x00480000); // 72 dpi
        box.UInt32(0x00480000);
        box.UInt32(0);
        box.UInt16(1); // frames per sample
        box.Zeros(32); // compressor name
        box.UInt16(0x0018); // depth
        box.UInt16(0xFFFF);

        int avcC = box.Begin("avcC"u8);
        box.UInt8(1);
        box.Bytes(sps.Slice(1, 3)); // profile, compatibility, level
        box.UInt8(0xFF); // NAL lengths take 4 bytes
        box.UInt8(0xE1); // one SPS
        box.UInt16((ushort)sps.Length);
        box.Bytes(sps);
        box.UInt8(1); // one PPS
        box.UInt16((ushort)pps.Length);
        box.Bytes(pps);
        box.End(avcC);
        box.End(avc1);
    }
}
