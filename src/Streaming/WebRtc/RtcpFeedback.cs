using System.Buffers.Binary;

namespace Edge.Streaming.WebRtc;

/// <summary>
/// What a viewer's RTCP asks of Edge's video stream (RFC 4585, 5104): packets to send again (generic
/// NACK), a key frame (PLI, or FIR with a new request number), its reception (receiver report) and its
/// goodbye (BYE). One per session: FIR's request numbers are remembered between compounds. Linear in
/// the compound; a malformed packet ends the reading of it.
/// </summary>
internal sealed class RtcpFeedback
{
    /// <summary>Sequence numbers asked for in one compound, at most (a NACK can name 17 per 4 bytes).</summary>
    public const int MaxLost = 512;

    private const byte ReceiverReport = 201, Goodbye = 203, TransportFeedback = 205, PayloadFeedback = 206;
    private const int GenericNack = 1, PictureLoss = 1, FullIntraRequest = 4;

    private int _firSequence = -1;

    /// <summary>The viewer asked for a key frame in the last compound read.</summary>
    public bool KeyFrame { get; private set; }

    /// <summary>The sequence numbers it asked to be sent again.</summary>
    public List<ushort> Lost { get; } = [];

    /// <summary>It said goodbye.</summary>
    public bool Bye { get; private set; }

    /// <summary>
    /// Its last report's fraction lost (0–255 for 0–100 %), jitter (RTP clock units) and extended highest
    /// sequence number received, if it sent one.
    /// </summary>
    public (int FractionLost, uint Jitter, uint Highest)? Reception { get; private set; }

    /// <summary>Reads a compound packet about <paramref name="mediaSsrc"/>; false when malformed (what came before counts).</summary>
    public bool Read(ReadOnlySpan<byte> compound, uint mediaSsrc)
    {
        (KeyFrame, Bye) = (false, false);
        Lost.Clear();
        while (compound.Length > 0)
        {
            if (compound.Length < 4 || compound[0] >> 6 != 2) return false;
            int length = 4 * (BinaryPrimitives.ReadUInt16BigEndian(compound[2..]) + 1);
            if (length > compound.Length) return false;
            var packet = compound[..length];
            int count = packet[0] & 0x1F;
            switch (packet[1])
            {
                case ReceiverReport when packet.Length >= 8 + 24 * count:
                    for (int i = 0; i < count; i++)
                    {
                        var block = packet.Slice(8 + 24 * i, 24);
                        if (BinaryPrimitives.ReadUInt32BigEndian(block) == mediaSsrc)
                        {
                            Reception = (block[4], BinaryPrimitives.ReadUInt32BigEndian(block[12..]),
                                BinaryPrimitives.ReadUInt32BigEndian(block[8..]));
                        }
                    }
                    break;
                case Goodbye:
                    Bye = true;
                    break;
                case TransportFeedback when count == GenericNack && packet.Length >= 12 && Media(packet) == mediaSsrc:
                    for (int at = 12; at + 4 <= packet.Length && Lost.Count < MaxLost; at += 4)
                    {
                        ushort first = BinaryPrimitives.ReadUInt16BigEndian(packet[at..]);
                        ushort following = BinaryPrimitives.ReadUInt16BigEndian(packet[(at + 2)..]);
                        Lost.Add(first);
                        for (int bit = 0; bit < 16 && Lost.Count < MaxLost; bit++)
                            if ((following & (1 << bit)) != 0) Lost.Add((ushort)(first + bit + 1));
                    }
                    break;
                case PayloadFeedback when count == PictureLoss && packet.Length >= 12 && Media(packet) == mediaSsrc:
                    KeyFrame = true;
                    break;
                case PayloadFeedback when count == FullIntraRequest && packet.Length >= 12:
                    // FCI entries: SSRC, request number, 3 reserved bytes; a repeated number is a retransmitted request.
                    for (int at = 12; at + 8 <= packet.Length; at += 8)
                    {
                        if (BinaryPrimitives.ReadUInt32BigEndian(packet[at..]) != mediaSsrc || packet[at + 4] == _firSequence) continue;
                        _firSequence = packet[at + 4];
                        KeyFrame = true;
                    }
                    break;
            }
            compound = compound[length..];
        }
        return true;
    }

    private static uint Media(ReadOnlySpan<byte> feedback) => BinaryPrimitives.ReadUInt32BigEndian(feedback[8..]);
}
