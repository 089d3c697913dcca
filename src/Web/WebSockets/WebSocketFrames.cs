using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Edge.Web.WebSockets;

/// <summary>RFC 6455 opcodes, close codes and server-side (unmasked) frame building.</summary>
public static class WebSocketFrames
{
    public const byte Continuation = 0x0, Text = 0x1, Binary = 0x2, Close = 0x8, Ping = 0x9, Pong = 0xA;

    public const ushort NormalClosure = 1000, GoingAway = 1001, ProtocolError = 1002, InvalidPayload = 1007;

    /// <summary>
    /// Close codes a peer may send (RFC 6455 §7.4: registered codes, minus those never sent on the wire, and 3000–4999).
    /// </summary>
    public static bool IsValidCloseCode(ushort code) => code is (>= 1000 and <= 1003) or (>= 1007 and <= 1014) or (>= 3000 and <= 4999);

    private static readonly byte[] AcceptGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"u8.ToArray();

    /// <summary>
    /// A complete frame (FIN set) holding <paramref name="payload"/>; built once, it can be sent to any
    /// number of clients.
    /// </summary>
    public static byte[] Build(byte opcode, ReadOnlySpan<byte> payload)
    {
        var frame = new byte[HeaderBytes(payload.Length) + payload.Length];
        int header = WriteHeader(frame, opcode, payload.Length);
        payload.CopyTo(frame.AsSpan(header));
        return frame;
    }

    /// <summary>The bytes of a frame header (FIN set, unmasked) for a payload of <paramref name="length"/> bytes: 2, 4 or 10.</summary>
    public static int HeaderBytes(long length) => length < 126 ? 2 : length <= ushort.MaxValue ? 4 : 10;

    /// <summary>
    /// Writes the header of a complete frame whose payload the caller sends after it (a payload shared
    /// by many clients is not copied into each one's frame); returns its length.
    /// </summary>
    public static int WriteHeader(Span<byte> destination, byte opcode, long length)
    {
        int header = HeaderBytes(length);
        destination[0] = (byte)(0x80 | opcode);
        if (header == 2)
        {
            destination[1] = (byte)length;
        }
        else if (header == 4)
        {
            destination[1] = 126;
            BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)length);
        }
        else
        {
            destination[1] = 127;
            BinaryPrimitives.WriteUInt64BigEndian(destination[2..], (ulong)length);
        }
        return header;
    }

    /// <summary>A close frame with a status code and a reason (cut to fit the 125-byte control-frame limit).</summary>
    public static byte[] BuildClose(ushort code, string reason)
    {
        Span<byte> payload = stackalloc byte[125];
        BinaryPrimitives.WriteUInt16BigEndian(payload, code);
        int length = 2 + Encoding.UTF8.GetBytes(reason.Length > 40 ? reason[..40] : reason, payload[2..]);
        return Build(Close, payload[..length]);
    }

    /// <summary>The Sec-WebSocket-Accept value answering a client's Sec-WebSocket-Key.</summary>
    public static string AcceptKey(string key)
    {
        Span<byte> input = stackalloc byte[key.Length + AcceptGuid.Length];
        int n = Encoding.ASCII.GetBytes(key, input);
        AcceptGuid.CopyTo(input[n..]);
        return Convert.ToBase64String(SHA1.HashData(input[..(n + AcceptGuid.Length)]));
    }

    /// <summary>XORs a client frame's payload with its 4-byte mask, in place.</summary>
    public static void Unmask(Span<byte> payload, ReadOnlySpan<byte> mask)
    {
        uint key = BinaryPrimitives.ReadUInt32LittleEndian(mask);
        ulong wide = key | (ulong)key << 32;
        int i = 0;
        for (; i + 8 <= payload.Length; i += 8)
        {
            var chunk = payload.Slice(i, 8);
            BinaryPrimitives.WriteUInt64LittleEndian(chunk, BinaryPrimitives.ReadUInt64LittleEndian(chunk) ^ wide);
        }
        for (; i < payload.Length; i++) payload[i] ^= mask[i & 3];
    }
}
