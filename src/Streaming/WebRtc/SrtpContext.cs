using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Edge.Streaming.WebRtc;

/// <summary>
/// One direction of SRTP and SRTCP with AES_CM_128_HMAC_SHA1_80 (RFC 3711), the profile every browser
/// offers: session keys derived from the DTLS exporter's master key and salt (key derivation rate 0),
/// AES in counter mode over the payload, a 10-byte HMAC-SHA1 tag. Edge's sending side protects RTP and
/// SRTCP; its receiving side checks and decrypts the browser's SRTCP (feedback) and refuses replays.
/// Written on .NET's AES and HMAC (OpenSSL underneath): libsrtp2 would add a package to every board
/// for the same few operations. Not thread-safe: one per session and direction, used on the loop.
/// </summary>
internal sealed class SrtpContext : IDisposable
{
    public const int MasterKeyLength = 16, MasterSaltLength = 14, TagLength = 10;

    /// <summary>What protecting adds to an RTP packet (the tag), and to an RTCP packet (E flag and index, then the tag).</summary>
    public const int RtpOverhead = TagLength, RtcpOverhead = 4 + TagLength;

    private const int BlockLength = 16, MaxPacketLength = 1500;
    private const int RtcpClearLength = 8; // the first header and the sender's SSRC

    private readonly Aes _rtpCipher, _rtcpCipher;
    private readonly byte[] _rtpSalt, _rtcpSalt;
    private readonly IncrementalHash _rtpAuth, _rtcpAuth;
    private readonly byte[] _counters = new byte[(MaxPacketLength / BlockLength + 1) * BlockLength];
    private readonly byte[] _keystream = new byte[(MaxPacketLength / BlockLength + 1) * BlockLength];
    private readonly ReplayWindow _rtcpReplay = new();
    private uint _roc, _rtcpIndex;
    private int _lastSequence = -1;

    public SrtpContext(ReadOnlySpan<byte> masterKey, ReadOnlySpan<byte> masterSalt)
    {
        if (masterKey.Length != MasterKeyLength || masterSalt.Length != MasterSaltLength)
            throw new ArgumentException("SRTP needs a 16-byte master key and a 14-byte master salt");
        using var master = Aes.Create();
        master.Key = masterKey.ToArray();
        _rtpCipher = Cipher(Derive(master, masterSalt, 0, 16));
        _rtpAuth = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA1, Derive(master, masterSalt, 1, 20));
        _rtpSalt = Derive(master, masterSalt, 2, 14);
        _rtcpCipher = Cipher(Derive(master, masterSalt, 3, 16));
        _rtcpAuth = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA1, Derive(master, masterSalt, 4, 20));
        _rtcpSalt = Derive(master, masterSalt, 5, 14);
    }

    /// <summary>
    /// Encrypts an RTP packet's payload in place and appends its tag; returns the new length.
    /// Packets must come in sending order (the rollover counter follows their sequence numbers).
    /// </summary>
    public int ProtectRtp(Span<byte> packet, int length)
    {
        int header = RtpHeaderLength(packet[..length]);
        if (header < 0 || length + TagLength > packet.Length || length > MaxPacketLength)
            throw new ArgumentException("not an RTP packet that SRTP can protect here");
        int sequence = BinaryPrimitives.ReadUInt16BigEndian(packet[2..]);
        if (_lastSequence >= 0 && sequence < _lastSequence) _roc++;
        _lastSequence = sequence;
        uint ssrc = BinaryPrimitives.ReadUInt32BigEndian(packet[8..]);
        Transform(_rtpCipher, _rtpSalt, ssrc, ((ulong)_roc << 16) | (uint)sequence, packet[header..length]);
        Span<byte> roc = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(roc, _roc);
        Tag(_rtpAuth, packet[..length], roc, packet.Slice(length, TagLength));
        return length + TagLength;
    }

    /// <summary>
    /// Encrypts a compound RTCP packet after its first 8 bytes, appends E and the index, then the tag; returns the new length.
    /// </summary>
    public int ProtectRtcp(Span<byte> packet, int length)
    {
        if (length < RtcpClearLength || length + RtcpOverhead > packet.Length || length > MaxPacketLength)
            throw new ArgumentException("not an RTCP packet that SRTCP can protect here");
        _rtcpIndex = (_rtcpIndex + 1) & 0x7FFFFFFF;
        uint ssrc = BinaryPrimitives.ReadUInt32BigEndian(packet[4..]);
        Transform(_rtcpCipher, _rtcpSalt, ssrc, _rtcpIndex, packet[RtcpClearLength..length]);
        BinaryPrimitives.WriteUInt32BigEndian(packet[length..], 0x80000000 | _rtcpIndex);
        Tag(_rtcpAuth, packet[..(length + 4)], default, packet.Slice(length + 4, TagLength));
        return length + RtcpOverhead;
    }

    /// <summary>
    /// Checks an SRTCP packet's tag and index and decrypts it in place: the plain RTCP's length, or -1
    /// for a packet too short, forged, or seen before.
    /// </summary>
    public int UnprotectRtcp(Span<byte> packet)
    {
        int length = packet.Length - RtcpOverhead;
        if (length < RtcpClearLength || packet.Length > MaxPacketLength) return -1;
        Span<byte> expected = stackalloc byte[TagLength];
        Tag(_rtcpAuth, packet[..(length + 4)], default, expected);
        if (!CryptographicOperations.FixedTimeEquals(expected, packet[(length + 4)..])) return -1;
        uint word = BinaryPrimitives.ReadUInt32BigEndian(packet[length..]);
        uint index = word & 0x7FFFFFFF;
        if (!_rtcpReplay.Accept(index)) return -1;
        if ((word & 0x80000000) != 0)
            Transform(_rtcpCipher, _rtcpSalt, BinaryPrimitives.ReadUInt32BigEndian(packet[4..]), index, packet[RtcpClearLength..length]);
        return length;
    }

    public void Dispose()
    {
        _rtpCipher.Dispose();
        _rtcpCipher.Dispose();
        _rtpAuth.Dispose();
        _rtcpAuth.Dispose();
    }

    // The RTP header's length with its CSRCs and extension; -1 when the packet is shorter than it says.
    private static int RtpHeaderLength(ReadOnlySpan<byte> packet)
    {
        if (packet.Length < 12 || packet[0] >> 6 != 2) return -1;
        int length = 12 + 4 * (packet[0] & 0x0F);
        if ((packet[0] & 0x10) != 0)
        {
            if (packet.Length < length + 4) return -1;
            length += 4 + 4 * BinaryPrimitives.ReadUInt16BigEndian(packet[(length + 2)..]);
        }
        return length <= packet.Length ? length : -1;
    }

    // AES-CM (RFC 3711 §4.1.1): IV = salt·2^16 XOR SSRC·2^64 XOR index·2^16, then a 16-bit block counter.
    private void Transform(Aes cipher, byte[] salt, uint ssrc, ulong index, Span<byte> data)
    {
        int blocks = (data.Length + BlockLength - 1) / BlockLength;
        var counters = _counters.AsSpan(0, blocks * BlockLength);
        Span<byte> iv = stackalloc byte[BlockLength];
        iv.Clear();
        salt.CopyTo(iv);
        for (int i = 0; i < 4; i++) iv[4 + i] ^= (byte)(ssrc >> (24 - 8 * i));
        for (int i = 0; i < 6; i++) iv[8 + i] ^= (byte)(index >> (40 - 8 * i));
        for (int block = 0; block < blocks; block++)
        {
            var counter = counters.Slice(block * BlockLength, BlockLength);
            iv.CopyTo(counter);
            BinaryPrimitives.WriteUInt16BigEndian(counter[14..], (ushort)block);
        }
        var keystream = _keystream.AsSpan(0, counters.Length);
        cipher.EncryptEcb(counters, keystream, PaddingMode.None);
        for (int i = 0; i < data.Length; i++) data[i] ^= keystream[i];
    }

    private static void Tag(IncrementalHash auth, ReadOnlySpan<byte> data, ReadOnlySpan<byte> roc, Span<byte> tag)
    {
        auth.AppendData(data);
        if (!roc.IsEmpty) auth.AppendData(roc);
        Span<byte> full = stackalloc byte[20];
        auth.GetHashAndReset(full);
        full[..TagLength].CopyTo(tag);
    }

    // RFC 3711 §4.3.1 with a key derivation rate of 0: AES(master key, salt XOR label·2^48, then a block counter).
    private static byte[] Derive(Aes master, ReadOnlySpan<byte> masterSalt, byte label, int length)
    {
        int blocks = (length + BlockLength - 1) / BlockLength;
        var input = new byte[blocks * BlockLength];
        for (int block = 0; block < blocks; block++)
        {
            var x = input.AsSpan(block * BlockLength, BlockLength);
            masterSalt.CopyTo(x);
            x[7] ^= label;
            BinaryPrimitives.WriteUInt16BigEndian(x[14..], (ushort)block);
        }
        return master.EncryptEcb(input, PaddingMode.None)[..length];
    }

    private static Aes Cipher(byte[] key)
    {
        var aes = Aes.Create();
        aes.Key = key;
        return aes;
    }
}
