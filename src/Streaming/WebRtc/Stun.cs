using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Edge.Runtime;

namespace Edge.Streaming.WebRtc;

/// <summary>
/// STUN (RFC 8489) as an ICE-lite agent (RFC 8445 §2.5) needs it: a browser's Binding requests read
/// and checked (USERNAME, MESSAGE-INTEGRITY with Edge's ice-pwd, FINGERPRINT), and the success or 487
/// Role Conflict responses written. Edge sends no requests of its own.
/// </summary>
internal static class Stun
{
    public const int HeaderLength = 20;
    public const uint MagicCookie = 0x2112A442;

    private const ushort BindingRequest = 0x0001, BindingSuccess = 0x0101, BindingError = 0x0111;
    private const ushort Username = 0x0006, MessageIntegrity = 0x0008, ErrorCode = 0x0009, XorMappedAddress = 0x0020,
        UseCandidate = 0x0025, Fingerprint = 0x8028, IceControlled = 0x8029;
    private const uint FingerprintXor = 0x5354554E;
    private const int IntegrityLength = 20;

    /// <summary>Room for any response Edge writes (an IPv6 address, integrity, fingerprint, an error reason).</summary>
    public const int MaxResponseLength = 128;

    /// <summary>A STUN message by its first bytes and length (RFC 7983: the first byte is 0–3 on a shared port).</summary>
    public static bool IsStun(ReadOnlySpan<byte> datagram)
        => datagram.Length >= HeaderLength && datagram[0] < 4 && BinaryPrimitives.ReadUInt32BigEndian(datagram[4..]) == MagicCookie
            && BinaryPrimitives.ReadUInt16BigEndian(datagram[2..]) + HeaderLength == datagram.Length && datagram.Length % 4 == 0;

    /// <summary>
    /// Reads a Binding request: null for anything else (indications, responses, a message without
    /// USERNAME or MESSAGE-INTEGRITY, a bad FINGERPRINT, attributes that overrun). Linear in its length.
    /// </summary>
    public static StunBinding? ReadBinding(ReadOnlySpan<byte> message)
    {
        if (!IsStun(message) || BinaryPrimitives.ReadUInt16BigEndian(message) != BindingRequest) return null;
        string? username = null;
        int integrityAt = -1;
        bool useCandidate = false, controlled = false;
        for (int at = HeaderLength; at < message.Length;)
        {
            if (at + 4 > message.Length) return null;
            ushort type = BinaryPrimitives.ReadUInt16BigEndian(message[at..]);
            int length = BinaryPrimitives.ReadUInt16BigEndian(message[(at + 2)..]);
            int value = at + 4;
            if (value + length > message.Length) return null;
            // After MESSAGE-INTEGRITY only FINGERPRINT may follow (RFC 8489 §14.5).
            if (integrityAt >= 0 && type != Fingerprint) return null;
            switch (type)
            {
                case Username when length <= 513:
                    try { username = StrictUtf8.GetString(message.Slice(value, length)); }
                    catch (DecoderFallbackException) { return null; }
                    break;
                case MessageIntegrity when length == IntegrityLength:
                    integrityAt = at;
                    break;
                case UseCandidate:
                    useCandidate = true;
                    break;
                case IceControlled:
                    controlled = true;
                    break;
                case Fingerprint:
                    if (length != 4 || value + 4 != message.Length) return null;
                    if ((Crc32.Compute(message[..at]) ^ FingerprintXor) != BinaryPrimitives.ReadUInt32BigEndian(message[value..]))
                        return null;
                    break;
            }
            at = value + (length + 3) / 4 * 4;
        }
        if (username == null || integrityAt < 0) return null;
        return new StunBinding(message.Slice(8, 12).ToArray(), username, useCandidate, controlled, integrityAt);
    }

    /// <summary>
    /// MESSAGE-INTEGRITY checked with <paramref name="key"/> (the receiver's ice-pwd): HMAC-SHA1 over the message up to it.
    /// </summary>
    public static bool HasIntegrity(ReadOnlySpan<byte> message, StunBinding binding, ReadOnlySpan<byte> key)
    {
        int at = binding.IntegrityAt;
        // The length field as if MESSAGE-INTEGRITY were the last attribute.
        Span<byte> header = stackalloc byte[HeaderLength];
        message[..HeaderLength].CopyTo(header);
        BinaryPrimitives.WriteUInt16BigEndian(header[2..], (ushort)(at + 4 + IntegrityLength - HeaderLength));
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA1, key);
        hmac.AppendData(header);
        hmac.AppendData(message[HeaderLength..at]);
        Span<byte> expected = stackalloc byte[IntegrityLength];
        hmac.GetHashAndReset(expected);
        return CryptographicOperations.FixedTimeEquals(expected, message.Slice(at + 4, IntegrityLength));
    }

    /// <summary>A Binding success response telling the peer its address (XOR-MAPPED-ADDRESS); returns its length.</summary>
    public static int WriteSuccess(Span<byte> destination, ReadOnlySpan<byte> transactionId, IPEndPoint peer, ReadOnlySpan<byte> key)
    {
        int at = Header(destination, BindingSuccess, transactionId);
        bool v6 = peer.AddressFamily == AddressFamily.InterNetworkV6 && !peer.Address.IsIPv4MappedToIPv6;
        int addressLength = v6 ? 16 : 4;
        at = AttributeHeader(destination, at, XorMappedAddress, 4 + addressLength);
        destination[at] = 0;
        destination[at + 1] = (byte)(v6 ? 2 : 1);
        BinaryPrimitives.WriteUInt16BigEndian(destination[(at + 2)..], (ushort)(peer.Port ^ (MagicCookie >> 16)));
        var address = destination.Slice(at + 4, addressLength);
        (v6 ? peer.Address : peer.Address.MapToIPv4()).TryWriteBytes(address, out _);
        // XORed with the cookie and, for IPv6, the transaction id: the header's bytes 4 to 19.
        for (int i = 0; i < addressLength; i++) address[i] ^= destination[4 + i];
        return Finish(destination, at + 4 + addressLength, key);
    }

    /// <summary>487 Role Conflict: the peer said it is controlled too, and a lite agent never controls (RFC 8445 §7.3.1.1).</summary>
    public static int WriteRoleConflict(Span<byte> destination, ReadOnlySpan<byte> transactionId, ReadOnlySpan<byte> key)
    {
        int at = Header(destination, BindingError, transactionId);
        ReadOnlySpan<byte> reason = "Role Conflict"u8;
        at = AttributeHeader(destination, at, ErrorCode, 4 + reason.Length);
        destination.Slice(at, 4).Clear();
        destination[at + 2] = 4; // class
        destination[at + 3] = 87; // number
        reason.CopyTo(destination[(at + 4)..]);
        int end = at + 4 + reason.Length;
        while (end % 4 != 0) destination[end++] = 0;
        return Finish(destination, end, key);
    }

    private static readonly UTF8Encoding StrictUtf8 = new(false, true);
    private static readonly ReflectedCrc32 Crc32 = new(ReflectedCrc32.Ieee);

    private static int Header(Span<byte> destination, ushort type, ReadOnlySpan<byte> transactionId)
    {
        BinaryPrimitives.WriteUInt16BigEndian(destination, type);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], MagicCookie);
        transactionId.CopyTo(destination[8..]);
        return HeaderLength;
    }

    private static int AttributeHeader(Span<byte> destination, int at, ushort type, int length)
    {
        BinaryPrimitives.WriteUInt16BigEndian(destination[at..], type);
        BinaryPrimitives.WriteUInt16BigEndian(destination[(at + 2)..], (ushort)length);
        return at + 4;
    }

    // MESSAGE-INTEGRITY then FINGERPRINT, each computed with the length field counting it.
    private static int Finish(Span<byte> destination, int at, ReadOnlySpan<byte> key)
    {
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)(at + 4 + IntegrityLength - HeaderLength));
        HMACSHA1.HashData(key, destination[..at], destination.Slice(at + 4, IntegrityLength));
        at = AttributeHeader(destination, at, MessageIntegrity, IntegrityLength) + IntegrityLength;
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)(at + 8 - HeaderLength));
        uint crc = Crc32.Compute(destination[..at]) ^ FingerprintXor;
        at = AttributeHeader(destination, at, Fingerprint, 4);
        BinaryPrimitives.WriteUInt32BigEndian(destination[at..], crc);
        return at + 4;
    }
}

/// <summary>A Binding request as read: who it is for (USERNAME is <c>edgeUfrag:peerUfrag</c>) and what it asks.</summary>
internal sealed class StunBinding(byte[] transactionId, string username, bool useCandidate, bool controlled, int integrityAt)
{
    public byte[] TransactionId { get; } = transactionId;

    public string Username { get; } = username;

    /// <summary>The peer nominates this pair: media goes to the address the request came from.</summary>
    public bool UseCandidate { get; } = useCandidate;

    /// <summary>The peer claims the controlled role (ICE-CONTROLLED), which Edge, a lite agent, always has.</summary>
    public bool Controlled { get; } = controlled;

    /// <summary>Where MESSAGE-INTEGRITY starts in the message.</summary>
    public int IntegrityAt { get; } = integrityAt;
}
