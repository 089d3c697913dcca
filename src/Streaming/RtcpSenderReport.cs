using System.Buffers.Binary;
using System.Text;

namespace Edge.Streaming;

/// <summary>
/// An RTCP compound packet of a sender report and an SDES CNAME (RFC 3550 6.4.1, 6.5), as receivers
/// expect every few seconds.
/// </summary>
public static class RtcpSenderReport
{
    private static readonly DateTime NtpEpoch = new(1900, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>Writes the packet into <paramref name="destination"/>; returns its length.</summary>
    public static int Write(Span<byte> destination, uint ssrc, DateTimeOffset now, uint rtpTimestamp, uint packets, uint octets,
        string cname)
    {
        // Sender report: header, SSRC, NTP time (64 bit), RTP time, packet and octet counts.
        destination[0] = 0x80;
        destination[1] = 200;
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], 6);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], ssrc);
        var sinceEpoch = now.UtcDateTime - NtpEpoch;
        ulong seconds = (ulong)sinceEpoch.TotalSeconds;
        ulong fraction = (ulong)((sinceEpoch.TotalSeconds - seconds) * 4294967296.0);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], (uint)seconds);
        BinaryPrimitives.WriteUInt32BigEndian(destination[12..], (uint)fraction);
        BinaryPrimitives.WriteUInt32BigEndian(destination[16..], rtpTimestamp);
        BinaryPrimitives.WriteUInt32BigEndian(destination[20..], packets);
        BinaryPrimitives.WriteUInt32BigEndian(destination[24..], octets);
        // SDES with one chunk: SSRC, CNAME item, end, padded to 32 bits.
        int nameLength = Math.Min(Encoding.ASCII.GetByteCount(cname), 255);
        int chunk = 4 + 2 + nameLength + 1;
        int padded = (chunk + 3) & ~3;
        var sdes = destination[28..];
        sdes[0] = 0x81;
        sdes[1] = 202;
        BinaryPrimitives.WriteUInt16BigEndian(sdes[2..], (ushort)(padded / 4));
        BinaryPrimitives.WriteUInt32BigEndian(sdes[4..], ssrc);
        sdes[8] = 1;
        sdes[9] = (byte)nameLength;
        Encoding.ASCII.GetBytes(cname.AsSpan(0, Math.Min(cname.Length, nameLength)), sdes[10..]);
        sdes.Slice(10 + nameLength, padded - chunk + 1).Clear();
        return 28 + 4 + padded;
    }
}
