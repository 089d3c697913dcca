using System.Buffers.Binary;

namespace Edge.Tests.Support;

/// <summary>
/// Reads ISO BMFF top-level boxes from a stream (a live MP4 response), each as its type and its whole
/// bytes; a box that takes more than 10 s fails the test rather than hanging it.
/// </summary>
public sealed class Mp4BoxReader(Stream stream)
{
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The next box, or null at the end of the stream.</summary>
    public async Task<(string Type, byte[] Bytes)?> Next(CancellationToken cancellationToken = default)
    {
        var header = new byte[8];
        if (!await Fill(header, cancellationToken)) return null;
        uint size = BinaryPrimitives.ReadUInt32BigEndian(header);
        if (size < 8 || size > 64 << 20) throw new InvalidDataException($"box size {size}");
        var box = new byte[size];
        header.CopyTo(box, 0);
        if (!await Fill(box.AsMemory(8), cancellationToken)) throw new EndOfStreamException("the stream ended inside a box");
        return (System.Text.Encoding.ASCII.GetString(header, 4, 4), box);
    }

    /// <summary>The next moof and its mdat, together; null at the end of the stream.</summary>
    public async Task<byte[]?> NextFragment(CancellationToken cancellationToken = default)
    {
        if (await Next(cancellationToken) is not { } moof) return null;
        if (moof.Type != "moof") throw new InvalidDataException($"expected moof, got {moof.Type}");
        var mdat = await Next(cancellationToken) ?? throw new EndOfStreamException("a moof without mdat");
        if (mdat.Type != "mdat") throw new InvalidDataException($"expected mdat, got {mdat.Type}");
        return [.. moof.Bytes, .. mdat.Bytes];
    }

    /// <summary>A fragment's sample flags say it is a key frame (the first trun entry's flags).</summary>
    public static bool IsKeyFragment(byte[] fragment)
    {
        int trun = fragment.AsSpan().IndexOf("trun"u8);
        // trun: type, version+flags, count, data offset, then duration, size, flags of the first sample.
        uint flags = BinaryPrimitives.ReadUInt32BigEndian(fragment.AsSpan(trun + 4 + 4 + 4 + 4 + 8));
        return (flags & 0x00010000) == 0;
    }

    private async Task<bool> Fill(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ReadTimeout);
        int read = 0;
        while (read < buffer.Length)
        {
            int n = await stream.ReadAsync(buffer[read..], timeout.Token);
            if (n == 0) return false;
            read += n;
        }
        return true;
    }
}
