using System.Buffers.Binary;

namespace Edge.Recording;

/// <summary>
/// A timelapse file: JPEG pictures in an AVI (RIFF, one MJPG video stream, played at
/// <see cref="PlaybackFps"/>), for cameras without H.264. After each picture the RIFF, <c>movi</c> and
/// frame-count fields are brought up to date and the file is flushed to the card, so a file cut by power
/// loss or kill -9 is a valid AVI of its whole pictures; closing adds the index (<c>idx1</c>) players
/// seek with. Used by one pool job at a time.
/// </summary>
public sealed class MjpegAviFile : IDisposable
{
    /// <summary>Pictures per second when played back.</summary>
    public const int PlaybackFps = 10;

    // Offsets of the fields patched as pictures are added.
    private const int RiffSizeAt = 4, TotalFramesAt = 48, StreamLengthAt = 140, MoviSizeAt = 216, MoviTypeAt = 220, HeaderBytes = 224;
    private readonly FileStream _file;
    private readonly List<(uint Offset, uint Size)> _index = [];
    private readonly byte[] _patch = new byte[8];
    private long _end = HeaderBytes;

    private MjpegAviFile(FileStream file, string name)
    {
        _file = file;
        Name = name;
    }

    public string Name { get; }

    public long Bytes => _end;

    public int Pictures => _index.Count;

    /// <summary>Creates the file (never replacing one) with its headers. Blocking.</summary>
    public static MjpegAviFile Create(string path, int width, int height)
    {
        var file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read, bufferSize: 0);
        try
        {
            file.Write(Header(width, height));
            file.Flush(flushToDisk: true);
            return new MjpegAviFile(file, Path.GetFileName(path));
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Appends one JPEG picture and brings the headers up to date. Blocking.</summary>
    public void Append(ReadOnlySpan<byte> jpeg)
    {
        Span<byte> chunk = stackalloc byte[8];
        "00dc"u8.CopyTo(chunk);
        BinaryPrimitives.WriteUInt32LittleEndian(chunk[4..], (uint)jpeg.Length);
        _file.Position = _end;
        _file.Write(chunk);
        _file.Write(jpeg);
        if ((jpeg.Length & 1) == 1) _file.WriteByte(0); // chunks are padded to an even length
        _index.Add(((uint)(_end - MoviTypeAt), (uint)jpeg.Length));
        _end = _file.Position;
        Patch(RiffSizeAt, (uint)(_end - 8));
        Patch(MoviSizeAt, (uint)(_end - MoviTypeAt));
        Patch(TotalFramesAt, (uint)_index.Count);
        Patch(StreamLengthAt, (uint)_index.Count);
        _file.Flush(flushToDisk: true);
    }

    /// <summary>Writes the index and closes the file. Blocking.</summary>
    public void Dispose()
    {
        try
        {
            if (_index.Count == 0) return;
            var index = new byte[8 + _index.Count * 16];
            "idx1"u8.CopyTo(index);
            BinaryPrimitives.WriteUInt32LittleEndian(index.AsSpan(4), (uint)(_index.Count * 16));
            for (int i = 0; i < _index.Count; i++)
            {
                var entry = index.AsSpan(8 + i * 16, 16);
                "00dc"u8.CopyTo(entry);
                BinaryPrimitives.WriteUInt32LittleEndian(entry[4..], 0x10); // a key frame
                BinaryPrimitives.WriteUInt32LittleEndian(entry[8..], _index[i].Offset);
                BinaryPrimitives.WriteUInt32LittleEndian(entry[12..], _index[i].Size);
            }
            _file.Position = _end;
            _file.Write(index);
            Patch(RiffSizeAt, (uint)(_end + index.Length - 8));
            _file.Flush(flushToDisk: true);
        }
        finally
        {
            _file.Dispose();
        }
    }

    private void Patch(int at, uint value)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(_patch, value);
        _file.Position = at;
        _file.Write(_patch, 0, 4);
    }

    // RIFF 'AVI ', LIST 'hdrl' (avih, LIST 'strl' (strh, strf)), then the head of LIST 'movi'.
    private static byte[] Header(int width, int height)
    {
        var h = new byte[HeaderBytes];
        void Four(int at, ReadOnlySpan<byte> text) => text.CopyTo(h.AsSpan(at));
        void U32(int at, uint value) => BinaryPrimitives.WriteUInt32LittleEndian(h.AsSpan(at), value);
        void U16(int at, ushort value) => BinaryPrimitives.WriteUInt16LittleEndian(h.AsSpan(at), value);
        Four(0, "RIFF"u8);
        U32(4, HeaderBytes - 8);
        Four(8, "AVI "u8);
        Four(12, "LIST"u8);
        U32(16, 192); // hdrl: 4 + avih (8 + 56) + strl (8 + 4 + strh 8 + 56 + strf 8 + 40)
        Four(20, "hdrl"u8);
        Four(24, "avih"u8);
        U32(28, 56);
        U32(32, 1_000_000 / PlaybackFps); // microseconds per frame
        U32(44, 0x10); // AVIF_HASINDEX
        U32(56, 1); // streams
        U32(64, (uint)width);
        U32(68, (uint)height);
        Four(88, "LIST"u8);
        U32(92, 116);
        Four(96, "strl"u8);
        Four(100, "strh"u8);
        U32(104, 56);
        Four(108, "vids"u8);
        Four(112, "MJPG"u8);
        U32(128, 1); // scale
        U32(132, PlaybackFps); // rate
        U16(156, 0);
        U16(160, (ushort)width);
        U16(162, (ushort)height);
        Four(164, "strf"u8);
        U32(168, 40);
        U32(172, 40); // BITMAPINFOHEADER size
        U32(176, (uint)width);
        U32(180, (uint)height);
        U16(184, 1); // planes
        U16(186, 24); // bits per pixel
        Four(188, "MJPG"u8);
        U32(192, (uint)(width * height * 3));
        Four(212, "LIST"u8);
        U32(MoviSizeAt, 4);
        Four(MoviTypeAt, "movi"u8);
        return h;
    }
}
