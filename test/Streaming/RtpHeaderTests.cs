using Edge.Streaming;

namespace Edge.Tests.Streaming;

[TestClass]
public sealed class RtpHeaderTests
{
    [TestMethod]
    public void TheHeaderIsVersion2WithMarkerPayloadTypeSequenceTimestampAndSsrcInNetworkOrder()
    {
        var header = new byte[RtpHeader.Size + 1];
        RtpHeader.Write(header, marker: true, payloadType: 96, sequence: 0x1234, timestamp: 0x89ABCDEF, ssrc: 0x01020304);
        CollectionAssert.AreEqual(new byte[] { 0x80, 0xE0, 0x12, 0x34, 0x89, 0xAB, 0xCD, 0xEF, 0x01, 0x02, 0x03, 0x04, 0 }, header);
        RtpHeader.Write(header, marker: false, payloadType: 26, sequence: 0, timestamp: 0, ssrc: 0);
        Assert.AreEqual(26, header[1]);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => RtpHeader.Write(header, false, 128, 0, 0, 0));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => RtpHeader.Write(new byte[RtpHeader.Size - 1], false, 26, 0, 0, 0));
    }
}
