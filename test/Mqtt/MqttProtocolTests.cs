using System.Text;
using Edge.Mqtt;

namespace Edge.Tests.Mqtt;

/// <summary>
/// The MQTT client's parts on their own: packets as the standard spells them, the frame reader, the outbox, the settings.
/// </summary>
[TestClass]
public sealed class MqttProtocolTests
{
    [TestMethod]
    public void ConnectCarriesTheWillCleanSessionCredentialsAndKeepAliveInTheStandardsLayout()
    {
        byte[] packet = MqttPackets.Connect("edge-1", "cam/availability", "offline"u8, "user", "pw", 30);
        byte[] expected =
        [
            0x10, 55, 0, 4, .. "MQTT"u8, 4, 0xEE, 0, 30, 0, 6, .. "edge-1"u8, 0, 16, .. "cam/availability"u8, 0, 7, .. "offline"u8,
            0, 4, .. "user"u8, 0, 2, .. "pw"u8,
        ];
        CollectionAssert.AreEqual(expected, packet);
        // No credentials: neither flag.
        Assert.AreEqual(0x2E, MqttPackets.Connect("e", "t", "x"u8, "", "", 60)[9]);
    }

    [TestMethod]
    public void PublishHeadersEncodeTheRemainingLengthInOneToFourBytes()
    {
        CollectionAssert.AreEqual(new byte[] { 0x31, 5, 0, 1, (byte)'t' }, MqttPackets.PublishHeader("t", 2, retain: true));
        // 3 + 200 = 203 = 0xCB 0x01; 3 + 2,097,149 = 2,097,152 needs four bytes.
        CollectionAssert.AreEqual(new byte[] { 0x30, 0xCB, 0x01, 0, 1, (byte)'t' }, MqttPackets.PublishHeader("t", 200, retain: false));
        CollectionAssert.AreEqual(new byte[] { 0x30, 0x80, 0x80, 0x80, 0x01, 0, 1, (byte)'t' },
            MqttPackets.PublishHeader("t", 2_097_149, retain: false));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => MqttPackets.PublishHeader("t", MqttPackets.MaxRemainingLength, false));
    }

    [TestMethod]
    public void SubscribeAsksForEachFilterAtTheGivenQos()
    {
        CollectionAssert.AreEqual(new byte[] { 0x82, 11, 0, 7, 0, 1, (byte)'a', 1, 0, 2, (byte)'b', (byte)'/', 1 },
            MqttPackets.Subscribe(7, ["a", "b/"], 1));
    }

    [TestMethod]
    public void TheFrameReaderFindsPacketsSplitAnywhereAndKeepsOnlyTheStartOfOversizedOnes()
    {
        byte[] publish = [0x30, 7, 0, 3, .. "a/b"u8, .. "hi"u8];
        // 600 bytes of body over a 100-byte limit (and past the reader's first 256-byte buffer): a QoS 1 PUBLISH to "a/b"
        // with packet id 9, then 593 bytes of payload.
        byte[] big = [0x32, 0xD8, 0x04, 0, 3, .. "a/b"u8, 0, 9, .. Enumerable.Repeat((byte)'x', 593)];
        byte[] ping = [0xD0, 0];
        byte[] stream = [.. publish, .. big, .. ping];
        for (int chunk = 1; chunk <= stream.Length; chunk++)
        {
            var reader = new MqttFrameReader(100);
            var frames = new List<(int Type, bool Oversized, string Body)>();
            for (int at = 0; at < stream.Length; at += chunk)
            {
                var data = stream.AsSpan(at, Math.Min(chunk, stream.Length - at));
                while (data.Length > 0)
                {
                    int used = reader.Read(data, out var frame);
                    data = data[used..];
                    if (frame != null) frames.Add((frame.Type, frame.Oversized, Encoding.ASCII.GetString(frame.Body.Span)));
                }
            }
            Assert.HasCount(3, frames, $"chunks of {chunk}");
            Assert.AreEqual((3, false, "\0\u0003a/bhi"), frames[0]);
            Assert.AreEqual((3, true, "\0\u0003a/b\0\t" + new string('x', 93)), frames[1]);
            Assert.AreEqual((13, false, ""), frames[2]);
        }
        var parsed = MqttPublish.Parse(new MqttFrame(3, 0, publish.AsMemory(2), false), out ushort id);
        Assert.AreEqual(("a/b", "hi", false, (ushort)0),
            (parsed.Topic, Encoding.ASCII.GetString(parsed.Payload.Span), parsed.Retained, id));
        // The start of the oversized one holds what its acknowledgement needs.
        var start = new MqttFrameReader(100);
        start.Read(big, out var cut);
        MqttPublish.Parse(cut!, out ushort bigId);
        Assert.AreEqual((ushort)9, bigId);
    }

    [TestMethod]
    public void MalformedPacketsAreProtocolErrors()
    {
        Assert.ThrowsExactly<MqttException>(() => new MqttFrameReader(100).Read([0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x01], out _));
        Assert.ThrowsExactly<MqttException>(() => MqttPublish.Parse(new MqttFrame(3, 6, new byte[] { 0, 1, 65, 0, 1 }, false), out _),
            "QoS 3");
        Assert.ThrowsExactly<MqttException>(() => MqttPublish.Parse(new MqttFrame(3, 4, new byte[] { 0, 1, 65, 0, 1 }, false), out _),
            "QoS 2: more than Edge subscribes with (it would need PUBREC)");
        Assert.ThrowsExactly<MqttException>(() => MqttPublish.Parse(new MqttFrame(3, 0, new byte[] { 0, 9, 65 }, false), out _),
            "a topic longer than the packet");
        Assert.ThrowsExactly<MqttException>(() => MqttPublish.Parse(new MqttFrame(3, 0, new byte[] { 0, 2, 0xC3, 0x28 }, false), out _),
            "a topic that is not UTF-8");
        var qos1 = MqttPublish.Parse(new MqttFrame(3, 2 | 1, new byte[] { 0, 1, 65, 0x12, 0x34, 66 }, false), out ushort id);
        Assert.AreEqual(((ushort)0x1234, "B", true), (id, Encoding.ASCII.GetString(qos1.Payload.Span), qos1.Retained));
    }

    [TestMethod]
    public void TheOutboxKeepsTheLatestMessageOfEachTopicInFirstQueuedOrderAndRefusesWhatDoesNotFit()
    {
        var outbox = new MqttOutbox(10);
        Assert.IsTrue(outbox.Add("a", "1234"u8.ToArray(), true));
        Assert.IsTrue(outbox.Add("b", "12"u8.ToArray(), false));
        Assert.IsTrue(outbox.Add("a", "123456"u8.ToArray(), true), "replacing a's 4 bytes with 6 fits in 10");
        Assert.IsFalse(outbox.Add("c", "123"u8.ToArray(), true), "6 + 2 + 3 does not");
        Assert.AreEqual(1, outbox.Dropped);
        outbox.AddControl(MqttPackets.PingReq);

        Assert.IsTrue(outbox.TryTake(out string? topic, out var payload, out _));
        Assert.IsNull(topic, "control packets go first");
        Assert.IsTrue(outbox.TryTake(out topic, out payload, out bool retain));
        Assert.AreEqual(("a", "123456", true), (topic, Encoding.ASCII.GetString(payload.Span), retain));
        Assert.IsTrue(outbox.TryTake(out topic, out _, out _));
        Assert.AreEqual("b", topic);
        Assert.IsFalse(outbox.TryTake(out _, out _, out _));
        Assert.IsTrue(outbox.Add("c", "123"u8.ToArray(), true), "room again once sent");

        // A newer value that does not fit takes the older one with it: nothing stale is sent, and its topic is lost until drained.
        var full = new MqttOutbox(10);
        full.Add("a", "12"u8.ToArray(), true);
        full.Add("b", "12345678"u8.ToArray(), true);
        Assert.IsFalse(full.Add("a", "123"u8.ToArray(), true));
        Assert.IsTrue(full.HasLost);
        Assert.IsTrue(full.TryTake(out topic, out _, out _));
        Assert.AreEqual("b", topic, "a's old value is not sent");
        Assert.IsFalse(full.TryTake(out _, out _, out _));
        CollectionAssert.AreEqual(new[] { "a" }, full.TakeLost());
        Assert.IsFalse(full.HasLost);
        Assert.IsTrue(full.Add("a", "123"u8.ToArray(), true));
        Assert.IsTrue(full.Add("a", "1234"u8.ToArray(), true));
        Assert.IsTrue(full.TryTake(out topic, out payload, out _));
        Assert.AreEqual(("a", "1234"), (topic, Encoding.ASCII.GetString(payload.Span)),
            "one place per topic, however often it was refused");
        Assert.IsFalse(full.TryTake(out _, out _, out _));

        for (int i = 0; i < MqttOutbox.MaxControlPackets; i++) outbox.AddControl(MqttPackets.PingReq);
        Assert.ThrowsExactly<MqttException>(() => outbox.AddControl(MqttPackets.PingReq));
    }

    [TestMethod]
    public void SettingsRefuseWhatABrokerOrTheTopicsCannotTake()
    {
        Assert.IsNull(new MqttSettings().Validate(), "off by default");
        Assert.IsNull(new MqttSettings { Host = "broker.lan", Username = "u", Password = "p", Tls = true, CaFile = "/ca.pem" }.Validate());
        foreach (var (bad, said) in new (MqttSettings, string)[]
        {
            (new() { Host = "a b" }, "Host"),
            (new() { Host = "h", Port = 70000 }, "Port"),
            (new() { Host = "h", Password = "p" }, "Password needs a Username"),
            (new() { Host = "h", CaFile = "/ca.pem" }, "CaFile applies with Tls"),
            (new() { Host = "h", TopicPrefix = "cams/+" }, "TopicPrefix"),
            (new() { Host = "h", TopicPrefix = "cams/" }, "TopicPrefix"),
            (new() { Host = "h", DiscoveryPrefix = "" }, "DiscoveryPrefix"),
            (new() { Host = "h", KeepAliveSeconds = 1 }, "KeepAliveSeconds"),
            (new() { Host = "h", SensorSeconds = 0 }, "SensorSeconds"),
            (new() { Host = "h", SnapshotSeconds = -1 }, "SnapshotSeconds"),
        })
        {
            StringAssert.StartsWith(bad.Validate(), said);
        }
        Assert.AreEqual(8883, new MqttSettings { Host = "h", Tls = true }.EffectivePort);
        Assert.AreEqual(1883, new MqttSettings { Host = "h" }.EffectivePort);
    }
}
