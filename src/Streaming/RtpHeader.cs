using System.Buffers.Binary;

namespace Edge.Streaming;

/// <summary>The fixed RTP header (RFC 3550 5.1): version 2, no padding, extension or CSRCs.</summary>
public static class RtpHeader
{
    public const int Size = 12;

    public static void Write(Span<byte> destination, bool marker, byte payloadType, ushort sequence, uint timestamp, uint ssrc)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(payloadType, (byte)127);
        var header = destination[..Size];
        header[0] = 0x80;
        header[1] = (byte)((marker ? 0x80 : 0) | payloadType);
        BinaryPrimitives.WriteUInt16BigEndian(header[2..], sequence);
        BinaryPrimitives.WriteUInt32BigEndian(header[4..], timestamp);
        BinaryPrimitives.WriteUInt32BigEndian(header[8..], ssrc);
    }
}
