using System.Buffers.Binary;
using System.Net;
using System.Security.Cryptography;
using Edge.Streaming.WebRtc;

namespace Edge.Tests.Streaming.WebRtc;

/// <summary>STUN for ICE-lite against RFC 5769's test vectors, and what a hostile datagram gets.</summary>
[TestClass]
public sealed class StunTests
{
    private static readonly byte[] Password = "VOkJxbRl1RmTxUk/WvJxBt"u8.ToArray();

    // RFC 5769 §2.1: a Binding request with SOFTWARE, PRIORITY, ICE-CONTROLLED, USERNAME, MESSAGE-INTEGRITY, FINGERPRINT.
    private static readonly byte[] Request = Convert.FromHexString(
        "000100582112a442b7e7a701bc34d686fa87dfae" + "802200105354554e207465737420636c69656e74" + "002400046e0001ff"
        + "80290008932ff9b151263b36" + "000600096576746a3a68367659202020" + "000800149aeaa70cbfd8cb56781ef2b5b2d3f249c1b571a2"
        + "80280004e57a3bcf");

    [TestMethod]
    public void TheRfc5769RequestIsReadWithItsUsernameRoleAndIntegrity()
    {
        Assert.IsTrue(Stun.IsStun(Request));
        var binding = Stun.ReadBinding(Request);
        Assert.IsNotNull(binding);
        Assert.AreEqual("evtj:h6vY", binding.Username);
        Assert.IsTrue(binding.Controlled, "ICE-CONTROLLED");
        Assert.IsFalse(binding.UseCandidate);
        CollectionAssert.AreEqual(Convert.FromHexString("b7e7a701bc34d686fa87dfae"), binding.TransactionId);
        Assert.IsTrue(Stun.HasIntegrity(Request, binding, Password));
        Assert.IsFalse(Stun.HasIntegrity(Request, binding, "VOkJxbRl1RmTxUk/WvJxBu"u8), "another password");
    }

    [TestMethod]
    public void ASuccessResponseCarriesTheXoredAddressAndChecksThatHoldForItsOwnBytes()
    {
        Span<byte> response = stackalloc byte[Stun.MaxResponseLength];
        byte[] id = Convert.FromHexString("b7e7a701bc34d686fa87dfae");
        int length = Stun.WriteSuccess(response, id, new IPEndPoint(IPAddress.Parse("192.0.2.1"), 32853), Password);
        var message = response[..length];
        Assert.IsTrue(Stun.IsStun(message));
        Assert.AreEqual(0x0101, BinaryPrimitives.ReadUInt16BigEndian(message));
        // RFC 5769 §2.2's XOR-MAPPED-ADDRESS for the same address.
        Assert.AreEqual("002000080001a147e112a643", Convert.ToHexStringLower(message.Slice(20, 12)));
        Assert.AreEqual(20 + 12 + 24 + 8, length);
        AssertIntegrityAndFingerprint(message.ToArray(), 32);

        // IPv6 (RFC 5769 §2.3's address): XORed with the cookie and the transaction id.
        length = Stun.WriteSuccess(response, id, new IPEndPoint(IPAddress.Parse("2001:db8:1234:5678:11:2233:4455:6677"), 32853), Password);
        Assert.AreEqual("002000140002a1470113a9faa5d3f179bc25f4b5bed2b9d9", Convert.ToHexStringLower(response.Slice(20, 24)));
        AssertIntegrityAndFingerprint(response[..length].ToArray(), 44);
    }

    [TestMethod]
    public void ARoleConflictIsError487WithItsReason()
    {
        Span<byte> response = stackalloc byte[Stun.MaxResponseLength];
        int length = Stun.WriteRoleConflict(response, new byte[12], Password);
        Assert.AreEqual(0x0111, BinaryPrimitives.ReadUInt16BigEndian(response));
        Assert.AreEqual("00090011000004" + "57" + Convert.ToHexStringLower("Role Conflict"u8) + "000000",
            Convert.ToHexStringLower(response.Slice(20, 24)));
        AssertIntegrityAndFingerprint(response[..length].ToArray(), 44);
    }

    [TestMethod]
    public void DatagramsThatAreNotAWholeSignedBindingRequestAreNotRead()
    {
        Assert.IsNull(Stun.ReadBinding(Request[..^4]), "cut");
        var badFingerprint = (byte[])Request.Clone();
        badFingerprint[^1] ^= 1;
        Assert.IsNull(Stun.ReadBinding(badFingerprint));
        var response = (byte[])Request.Clone();
        response[0] = 0x01; // 0x0101: a success response, not a request
        Assert.IsNull(Stun.ReadBinding(response));
        // An attribute whose length overruns the message.
        var overrun = (byte[])Request.Clone();
        overrun[22] = 0xFF;
        Assert.IsNull(Stun.ReadBinding(overrun));
        // Without MESSAGE-INTEGRITY (and so without FINGERPRINT): the first 76 bytes with the length set to 56.
        var unsigned = Request[..76];
        unsigned[3] = 56;
        Assert.IsTrue(Stun.IsStun(unsigned));
        Assert.IsNull(Stun.ReadBinding(unsigned));
        Assert.IsFalse(Stun.IsStun([0x16, 0xFE, 0xFD, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), "DTLS");
        // Every cut of the request: never read, never thrown.
        for (int cut = 0; cut < Request.Length; cut++) Assert.IsNull(Stun.ReadBinding(Request.AsSpan(0, cut)));
    }

    // Checked the way RFC 8489 §14.5 and §14.7 say, independently of Stun's own code.
    private static void AssertIntegrityAndFingerprint(byte[] message, int integrityAt)
    {
        Assert.AreEqual(0x0008, BinaryPrimitives.ReadUInt16BigEndian(message.AsSpan(integrityAt)));
        var signed = message[..integrityAt];
        BinaryPrimitives.WriteUInt16BigEndian(signed.AsSpan(2), (ushort)(integrityAt + 24 - 20));
        CollectionAssert.AreEqual(HMACSHA1.HashData(Password, signed), message[(integrityAt + 4)..(integrityAt + 24)]);
        Assert.AreEqual(0x8028, BinaryPrimitives.ReadUInt16BigEndian(message.AsSpan(integrityAt + 24)));
        Assert.AreEqual(BitwiseCrc32(message.AsSpan(0, integrityAt + 24)) ^ 0x5354554E,
            BinaryPrimitives.ReadUInt32BigEndian(message.AsSpan(integrityAt + 28)));
    }

    // CRC-32 bit by bit, as ISO 3309 defines it (no table).
    private static uint BitwiseCrc32(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0xEDB88320 & (uint)-(int)(crc & 1));
        }
        return ~crc;
    }
}
