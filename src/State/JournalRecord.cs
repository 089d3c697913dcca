using System.Buffers.Binary;

namespace Edge.State;

/// <summary>
/// The journal's on-disk framing: each record is its payload's length (4 bytes, little-endian), the
/// payload's CRC-32C (4 bytes) and the payload. A record cut short by a crash, or whose checksum does
/// not match, ends the readable part of a file.
/// </summary>
public static class JournalRecord
{
    public const int HeaderSize = 8;
    /// <summary>Largest payload; anything claiming more is damage, not a record.</summary>
    public const int MaxPayload = 65536;

    public static void WriteHeader(Span<byte> header, ReadOnlySpan<byte> payload)
    {
        BinaryPrimitives.WriteInt32LittleEndian(header, payload.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], Crc32C.Compute(payload));
    }

    /// <summary>
    /// The records of a journal file's content, in order, and the length of the intact part: shorter
    /// than <paramref name="content"/> when the file ends in a torn or corrupt record.
    /// </summary>
    public static (List<ReadOnlyMemory<byte>> Payloads, int IntactLength) ReadAll(ReadOnlyMemory<byte> content)
    {
        var payloads = new List<ReadOnlyMemory<byte>>();
        int offset = 0;
        while (content.Length - offset >= HeaderSize)
        {
            var span = content.Span[offset..];
            int length = BinaryPrimitives.ReadInt32LittleEndian(span);
            uint crc = BinaryPrimitives.ReadUInt32LittleEndian(span[4..]);
            if (length <= 0 || length > MaxPayload || length > span.Length - HeaderSize) break;
            var payload = content.Slice(offset + HeaderSize, length);
            if (Crc32C.Compute(payload.Span) != crc) break;
            payloads.Add(payload);
            offset += HeaderSize + length;
        }
        return (payloads, offset);
    }
}
