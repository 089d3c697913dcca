using System.Buffers.Binary;
using Edge.Streaming;

namespace Edge.Tests.Streaming;

/// <summary>
/// Sends frames as the RTSP server does (RTP header, the payloader's header, the frame's own bytes) and
/// checks what arrives.
/// </summary>
internal sealed class RtpPackets(byte payloadType)
{
    private const uint Ssrc = 0x5EED1234;
    private ushort _sequence = 65530; // wraps within the first frames

    /// <summary>One frame's packets, with consecutive sequence numbers.</summary>
    public List<byte[]> Send(RtpFrame frame, ReadOnlySpan<byte> data, uint timestamp)
    {
        var packets = new List<byte[]>();
        foreach (var fragment in frame.Fragments)
        {
            var packet = new byte[RtpHeader.Size + fragment.HeaderLength + fragment.DataLength];
            RtpHeader.Write(packet, fragment.Marker, payloadType, _sequence++, timestamp, Ssrc);
            frame.Headers.AsSpan(fragment.HeaderOffset, fragment.HeaderLength).CopyTo(packet.AsSpan(RtpHeader.Size));
            data.Slice(fragment.DataOffset, fragment.DataLength).CopyTo(packet.AsSpan(RtpHeader.Size + fragment.HeaderLength));
            packets.Add(packet);
        }
        return packets;
    }

    /// <summary>Checks the RTP headers of one frame's packets as a receiver relies on them; returns the payloads.</summary>
    public List<byte[]> Receive(List<byte[]> packets, int maxPayload)
    {
        Assert.IsNotEmpty(packets);
        var first = packets[0];
        ushort sequence = BinaryPrimitives.ReadUInt16BigEndian(first.AsSpan(2));
        for (int i = 0; i < packets.Count; i++)
        {
            var packet = packets[i];
            Assert.IsLessThanOrEqualTo(RtpHeader.Size + maxPayload, packet.Length, $"packet {i}");
            Assert.AreEqual(0x80, packet[0], "version 2, no padding, extension or CSRC");
            Assert.AreEqual(i == packets.Count - 1, (packet[1] & 0x80) != 0, $"marker bit of packet {i} of {packets.Count}");
            Assert.AreEqual(payloadType, packet[1] & 0x7F);
            Assert.AreEqual((ushort)(sequence + i), BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(2)));
            CollectionAssert.AreEqual(first[4..12], packet[4..12], "one timestamp and SSRC for the frame");
        }
        Assert.AreEqual(Ssrc, BinaryPrimitives.ReadUInt32BigEndian(first.AsSpan(8)));
        return [.. packets.Select(p => p[RtpHeader.Size..])];
    }
}
