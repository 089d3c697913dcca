using Edge.Streaming.WebRtc;

namespace Edge.Tests.Streaming.WebRtc;

/// <summary>A viewer's RTCP as browsers send it: receiver reports, NACK, PLI, FIR, BYE, and malformed compounds.</summary>
[TestClass]
public sealed class RtcpFeedbackTests
{
    private const uint Media = 0x11223344;

    // RR with one block about Edge's stream: 12.5 % lost, jitter 90.
    private static readonly byte[] Report = Convert.FromHexString("81c90007" + "cafebabe" + "11223344" + "20000003" + "00001000"
        + "0000005a" + "00000000" + "00000000");

    [TestMethod]
    public void ANackNamesItsPacketAndEveryPacketItsBitmaskMarks()
    {
        var feedback = new RtcpFeedback();
        // PID 0xFFFE, BLP bits 0 and 2: 0xFFFE, 0xFFFF and 0x0001 (the sequence numbers wrap).
        Assert.IsTrue(feedback.Read(Convert.FromHexString("81cd0003" + "cafebabe" + "11223344" + "fffe0005"), Media));
        CollectionAssert.AreEqual(new ushort[] { 0xFFFE, 0xFFFF, 0x0001 }, feedback.Lost);
        Assert.IsFalse(feedback.KeyFrame);
        // About another stream: nothing.
        Assert.IsTrue(feedback.Read(Convert.FromHexString("81cd0003" + "cafebabe" + "99999999" + "00010000"), Media));
        Assert.IsEmpty(feedback.Lost);
    }

    [TestMethod]
    public void PliAndANewFirAskForAKeyFrameButAFirRepeatedDoesNot()
    {
        var feedback = new RtcpFeedback();
        Assert.IsTrue(feedback.Read([.. Report, .. Convert.FromHexString("81ce0002" + "cafebabe" + "11223344")], Media));
        Assert.IsTrue(feedback.KeyFrame, "PLI after a receiver report");
        Assert.AreEqual((32, 90u, 0x1000u), feedback.Reception, "fraction lost, jitter, extended highest sequence");
        byte[] fir = Convert.FromHexString("84ce0004" + "cafebabe" + "00000000" + "11223344" + "07000000");
        Assert.IsTrue(feedback.Read(fir, Media));
        Assert.IsTrue(feedback.KeyFrame, "FIR number 7");
        Assert.IsTrue(feedback.Read(fir, Media));
        Assert.IsFalse(feedback.KeyFrame, "the same number again: a retransmitted request");
        Assert.IsTrue(feedback.Read(Convert.FromHexString("81cb0001" + "cafebabe"), Media));
        Assert.IsTrue(feedback.Bye);
    }

    [TestMethod]
    public void MalformedCompoundsStopTheReadingAndNacksAreBounded()
    {
        var feedback = new RtcpFeedback();
        Assert.IsFalse(feedback.Read(Convert.FromHexString("81ce0009cafebabe"), Media), "longer than the datagram");
        Assert.IsFalse(feedback.Read(Convert.FromHexString("01ce0002cafebabe11223344"), Media), "version 0");
        Assert.IsFalse(feedback.Read(Convert.FromHexString("81ce"), Media), "cut header");
        // A NACK of 200 entries, every bit set: 3,400 packets named, 512 taken.
        string entries = string.Concat(Enumerable.Repeat("0001ffff", 200));
        Assert.IsTrue(feedback.Read(Convert.FromHexString($"81cd{202:x4}cafebabe11223344{entries}"), Media));
        Assert.HasCount(RtcpFeedback.MaxLost, feedback.Lost);
    }
}
