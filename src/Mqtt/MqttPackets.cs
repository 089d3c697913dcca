using System.Buffers.Binary;
using System.Text;

namespace Edge.Mqtt;

/// <summary>
/// The MQTT 3.1.1 control packets Edge sends (OASIS MQTT 3.1.1, section 3), each as the bytes to write.
/// Edge publishes at QoS 0 (a reconnect publishes the whole state again) and asks for commands at QoS 1.
/// </summary>
internal static class MqttPackets
{
    // Packet types: the high nibble of the first byte (section 2.2.1).
    public const int ConnAck = 2, Publish = 3, PubAck = 4, SubAck = 9, PingResp = 13;

    /// <summary>The largest remaining length the 4-byte encoding can hold (section 2.2.3).</summary>
    public const int MaxRemainingLength = 268_435_455;

    public static ReadOnlyMemory<byte> PingReq { get; } = new byte[] { 0xC0, 0 };

    public static ReadOnlyMemory<byte> Disconnect { get; } = new byte[] { 0xE0, 0 };

    /// <summary>CONNECT with a clean session, a retained will at QoS 1 and, when given, a user name and password.</summary>
    public static byte[] Connect(string clientId, string willTopic, ReadOnlySpan<byte> willPayload, string username, string password,
        int keepAliveSeconds)
    {
        byte flags = 0x02 | 0x04 | 0x08 | 0x20; // clean session, will, will QoS 1, will retain
        if (username.Length > 0) flags |= 0x80;
        if (password.Length > 0) flags |= 0x40;
        int length = 10 + StringSize(clientId) + StringSize(willTopic) + 2 + willPayload.Length
            + (username.Length > 0 ? StringSize(username) : 0) + (password.Length > 0 ? StringSize(password) : 0);
        var packet = new Writer(0x10, length);
        packet.String("MQTT");
        packet.Byte(4); // protocol level 3.1.1
        packet.Byte(flags);
        packet.UInt16(keepAliveSeconds);
        packet.String(clientId);
        packet.String(willTopic);
        packet.Binary(willPayload);
        if (username.Length > 0) packet.String(username);
        if (password.Length > 0) packet.String(password);
        return packet.Done();
    }

    /// <summary>A QoS 0 PUBLISH's fixed and variable header: the payload follows it on the wire.</summary>
    public static byte[] PublishHeader(string topic, int payloadLength, bool retain)
    {
        int length = StringSize(topic) + payloadLength;
        if (length > MaxRemainingLength) throw new ArgumentOutOfRangeException(nameof(payloadLength), "larger than an MQTT packet holds");
        var packet = new Writer((byte)(0x30 | (retain ? 1 : 0)), length, StringSize(topic));
        packet.String(topic);
        return packet.Done();
    }

    /// <summary>SUBSCRIBE to <paramref name="filters"/>, each at QoS <paramref name="qos"/>.</summary>
    public static byte[] Subscribe(ushort packetId, IReadOnlyList<string> filters, int qos)
    {
        int length = 2;
        foreach (string filter in filters) length += StringSize(filter) + 1;
        var packet = new Writer(0x82, length);
        packet.UInt16(packetId);
        foreach (string filter in filters)
        {
            packet.String(filter);
            packet.Byte((byte)qos);
        }
        return packet.Done();
    }

    public static byte[] PubAckFor(ushort packetId) => [0x40, 2, (byte)(packetId >> 8), (byte)packetId];

    private static int StringSize(string text) => 2 + Encoding.UTF8.GetByteCount(text);

    // Fills a packet of known size front to back.
    private ref struct Writer
    {
        private readonly byte[] _bytes;
        private int _at;

        // bodyBytes: how much of the remaining length is written here (all of it but for PUBLISH's payload).
        public Writer(byte first, int remainingLength, int bodyBytes = -1)
        {
            int lengthBytes = remainingLength < 128 ? 1 : remainingLength < 16_384 ? 2 : remainingLength < 2_097_152 ? 3 : 4;
            _bytes = new byte[1 + lengthBytes + (bodyBytes < 0 ? remainingLength : bodyBytes)];
            _bytes[0] = first;
            _at = 1;
            int value = remainingLength;
            do
            {
                byte digit = (byte)(value % 128);
                value /= 128;
                _bytes[_at++] = value > 0 ? (byte)(digit | 0x80) : digit;
            }
            while (value > 0);
        }

        public void Byte(byte value) => _bytes[_at++] = value;

        public void UInt16(int value)
        {
            BinaryPrimitives.WriteUInt16BigEndian(_bytes.AsSpan(_at), (ushort)value);
            _at += 2;
        }

        public void String(string text)
        {
            int count = Encoding.UTF8.GetBytes(text, _bytes.AsSpan(_at + 2));
            UInt16(count);
            _at += count;
        }

        public void Binary(ReadOnlySpan<byte> data)
        {
            UInt16(data.Length);
            data.CopyTo(_bytes.AsSpan(_at));
            _at += data.Length;
        }

        public readonly byte[] Done() => _at == _bytes.Length ? _bytes : throw new InvalidOperationException("MQTT packet size miscounted");
    }
}
