using System.Buffers.Binary;
using System.Text;

namespace Edge.Mqtt;

/// <summary>A PUBLISH the broker delivered: a message on a topic Edge subscribed to.</summary>
public sealed class MqttPublish(string topic, ReadOnlyMemory<byte> payload, bool retained)
{
    private static readonly UTF8Encoding StrictUtf8 = new(false, true);

    public string Topic { get; } = topic;

    /// <summary>Valid until the handler returns.</summary>
    public ReadOnlyMemory<byte> Payload { get; } = payload;

    /// <summary>Kept by the broker and delivered because Edge subscribed, not sent just now.</summary>
    public bool Retained { get; } = retained;

    /// <summary>
    /// Reads a PUBLISH body (section 3.3; of an oversized one, its start: the payload is then cut); the packet
    /// id to acknowledge is 0 at QoS 0.
    /// </summary>
    /// <exception cref="MqttException">The packet is malformed, or has a QoS above the 1 Edge subscribes with.</exception>
    internal static MqttPublish Parse(MqttFrame frame, out ushort packetId)
    {
        int qos = (frame.Flags >> 1) & 3;
        if (qos > 1) throw new MqttException($"the broker sent a PUBLISH with QoS {qos}, more than Edge subscribed with");
        var body = frame.Body.Span;
        if (body.Length < 2) throw new MqttException("the broker sent a PUBLISH without a topic");
        int topicLength = BinaryPrimitives.ReadUInt16BigEndian(body);
        int headerLength = 2 + topicLength + (qos > 0 ? 2 : 0);
        if (body.Length < headerLength) throw new MqttException("the broker sent a PUBLISH shorter than its topic");
        string topic;
        try { topic = StrictUtf8.GetString(body.Slice(2, topicLength)); }
        catch (DecoderFallbackException) { throw new MqttException("the broker sent a topic that is not UTF-8"); }
        packetId = qos > 0 ? BinaryPrimitives.ReadUInt16BigEndian(body[(2 + topicLength)..]) : (ushort)0;
        return new MqttPublish(topic, frame.Body[headerLength..], (frame.Flags & 1) != 0);
    }
}
