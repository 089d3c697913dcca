using Edge.Streaming.WebRtc;

namespace Edge.Tests.Streaming.WebRtc;

/// <summary>SRTP and SRTCP against libsrtp's known answers (srtp_validate: RFC 3711's key and salt), forgeries and replays.</summary>
[TestClass]
public sealed class SrtpTests
{
    // RFC 3711 B.3's master key and salt, which libsrtp's srtp_validate uses too.
    private static readonly byte[] Key = Convert.FromHexString("e1f97a0d3e018be0d64fa32c06de4139");
    private static readonly byte[] Salt = Convert.FromHexString("0ec675ad498afeebb6960b3aabe6");

    private static readonly byte[] Rtp = Convert.FromHexString("800f1234decafbadcafebabe" + string.Concat(Enumerable.Repeat("ab", 16)));
    private static readonly byte[] ProtectedRtp = Convert.FromHexString(
        "800f1234decafbadcafebabe" + "4e55dc4ce79978d88ca4d215949d2402" + "b78d6acc99ea179b8dbb");
    private static readonly byte[] Rtcp = Convert.FromHexString("81c8000bcafebabe" + string.Concat(Enumerable.Repeat("ab", 16)));
    private static readonly byte[] ProtectedRtcp = Convert.FromHexString(
        "81c8000bcafebabe" + "7128035be487b9bdbef89041f977a5a8" + "80000001" + "993e08cd54d6c1230798");

    [TestMethod]
    public void ProtectedRtpAndRtcpMatchLibsrtpsValidationVectors()
    {
        using var srtp = new SrtpContext(Key, Salt);
        var packet = new byte[64];
        Rtp.CopyTo(packet, 0);
        int length = srtp.ProtectRtp(packet, Rtp.Length);
        Assert.AreEqual(Convert.ToHexStringLower(ProtectedRtp), Convert.ToHexStringLower(packet.AsSpan(0, length)));

        Rtcp.CopyTo(packet, 0);
        length = srtp.ProtectRtcp(packet, Rtcp.Length);
        Assert.AreEqual(Convert.ToHexStringLower(ProtectedRtcp), Convert.ToHexStringLower(packet.AsSpan(0, length)));
    }

    [TestMethod]
    public void SrtcpFromThePeerIsCheckedDecryptedAndNotTakenTwice()
    {
        using var srtcp = new SrtpContext(Key, Salt);
        var packet = (byte[])ProtectedRtcp.Clone();
        Assert.AreEqual(Rtcp.Length, srtcp.UnprotectRtcp(packet));
        CollectionAssert.AreEqual(Rtcp, packet[..Rtcp.Length]);
        Assert.AreEqual(-1, srtcp.UnprotectRtcp((byte[])ProtectedRtcp.Clone()), "a replay");

        using var fresh = new SrtpContext(Key, Salt);
        var forged = (byte[])ProtectedRtcp.Clone();
        forged[10] ^= 1;
        Assert.AreEqual(-1, fresh.UnprotectRtcp(forged), "a changed byte");
        Assert.AreEqual(-1, fresh.UnprotectRtcp(ProtectedRtcp.AsSpan(0, 20).ToArray()), "too short");
        using var otherKey = new SrtpContext(Convert.FromHexString("00f97a0d3e018be0d64fa32c06de4139"), Salt);
        Assert.AreEqual(-1, otherKey.UnprotectRtcp((byte[])ProtectedRtcp.Clone()), "another key");
        Assert.AreEqual(Rtcp.Length, fresh.UnprotectRtcp((byte[])ProtectedRtcp.Clone()), "the forgery did not move the window");
    }

    [TestMethod]
    public void TheRolloverCounterFollowsTheSequenceNumberAcrossItsWrap()
    {
        using var sender = new SrtpContext(Key, Salt);
        using var reference = new SrtpContext(Key, Salt);
        var packet = new byte[64];
        // 0xFFFF then 0x0000: the second is encrypted with ROC 1, so it differs from the same packet sent first.
        Rtp.CopyTo(packet, 0);
        packet[2] = packet[3] = 0xFF;
        sender.ProtectRtp(packet, Rtp.Length);
        Rtp.CopyTo(packet, 0);
        packet[2] = packet[3] = 0;
        int length = sender.ProtectRtp(packet, Rtp.Length);
        var wrapped = packet[..length];
        Rtp.CopyTo(packet, 0);
        packet[2] = packet[3] = 0;
        var first = packet[..reference.ProtectRtp(packet, Rtp.Length)];
        CollectionAssert.AreNotEqual(first, wrapped);
    }

    [TestMethod]
    public void TheReplayWindowTakesEachIndexOnceWithin64()
    {
        var window = new ReplayWindow();
        Assert.IsTrue(window.Accept(100));
        Assert.IsFalse(window.Accept(100));
        Assert.IsTrue(window.Accept(99), "late but new");
        Assert.IsFalse(window.Accept(99));
        Assert.IsTrue(window.Accept(37), "63 behind");
        Assert.IsFalse(window.Accept(36), "64 behind: too old to tell");
        Assert.IsTrue(window.Accept(1000));
        Assert.IsFalse(window.Accept(100));
    }
}
