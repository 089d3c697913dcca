using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;

namespace Edge.Tests.Support;

/// <summary>A hand-rolled WebSocket client over TCP, for sending frames a correct client never would.</summary>
public sealed class RawWebSocket : IDisposable
{
    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;
    private byte[] _early = [];

    private RawWebSocket(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
        _stream.ReadTimeout = 5000;
    }

    /// <summary>Sends the opening handshake; returns the socket and the status line plus headers of the answer.</summary>
    public static async Task<(RawWebSocket Socket, string Response)> Connect(Uri baseUri, string? extraHeaders = null,
        string version = "13", string key = "dGhlIHNhbXBsZSBub25jZQ==")
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync(baseUri.Host, baseUri.Port);
        var socket = new RawWebSocket(tcp);
        string auth = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{EdgeServer.User}:{EdgeServer.Password}"));
        string request = $"GET /api HTTP/1.1\r\nHost: {baseUri.Authority}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
            $"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: {version}\r\nAuthorization: Basic {auth}\r\n{extraHeaders}\r\n";
        await socket._stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        // Read in blocks, asynchronously: a byte-at-a-time blocking read costs the test's own threads more
        // than the server's answer, and that would show in latencies measured beside it.
        var response = new StringBuilder();
        var block = new byte[1024];
        using var timeout = new CancellationTokenSource(5000);
        while (true)
        {
            int read = await socket._stream.ReadAsync(block, timeout.Token);
            if (read == 0) break;
            response.Append(Encoding.Latin1.GetString(block, 0, read));
            int end = response.ToString().IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (end < 0) continue;
            // Whatever followed the handshake belongs to the first frames.
            socket._early = Encoding.Latin1.GetBytes(response.ToString(end + 4, response.Length - end - 4));
            response.Length = end + 4;
            break;
        }
        return (socket, response.ToString());
    }

    /// <summary>Sends one frame; <paramref name="mask"/> false sends it unmasked (forbidden for clients).</summary>
    public Task SendFrame(byte firstByte, ReadOnlySpan<byte> payload, bool mask = true)
    {
        var frame = new List<byte> { firstByte };
        byte maskBit = mask ? (byte)0x80 : (byte)0;
        if (payload.Length < 126) frame.Add((byte)(maskBit | payload.Length));
        else
        {
            frame.Add((byte)(maskBit | 126));
            frame.Add((byte)(payload.Length >> 8));
            frame.Add((byte)payload.Length);
        }
        byte[] key = [0x12, 0x34, 0x56, 0x78];
        if (mask) frame.AddRange(key);
        for (int i = 0; i < payload.Length; i++) frame.Add(mask ? (byte)(payload[i] ^ key[i & 3]) : payload[i]);
        return _stream.WriteAsync(frame.ToArray()).AsTask();
    }

    /// <summary>Sends bytes as they are, for frames <see cref="SendFrame"/> cannot make.</summary>
    public Task SendRaw(byte[] bytes) => _stream.WriteAsync(bytes).AsTask();

    public Task SendText(string text, bool fin = true, bool continuation = false)
        => SendFrame((byte)((fin ? 0x80 : 0) | (continuation ? 0x0 : 0x1)), Encoding.UTF8.GetBytes(text));

    /// <summary>Reads one server frame: its opcode and payload.</summary>
    public async Task<(byte Opcode, byte[] Payload)> ReadFrame()
    {
        var head = await ReadExactly(2);
        Assert.AreEqual(0, head[1] & 0x80, "server frames are not masked");
        int length = head[1] & 0x7F;
        if (length == 126) length = BinaryPrimitives.ReadUInt16BigEndian(await ReadExactly(2));
        else if (length == 127) length = (int)BinaryPrimitives.ReadUInt64BigEndian(await ReadExactly(8));
        return ((byte)(head[0] & 0x0F), await ReadExactly(length));
    }

    /// <summary>Reads frames until a close frame; returns its status code.</summary>
    public async Task<int> ReadClose()
    {
        while (true)
        {
            var (opcode, payload) = await ReadFrame();
            if (opcode == 0x8) return payload.Length >= 2 ? BinaryPrimitives.ReadUInt16BigEndian(payload) : 1005;
        }
    }

    private async Task<byte[]> ReadExactly(int count)
    {
        var buffer = new byte[count];
        int early = Math.Min(count, _early.Length);
        _early.AsSpan(0, early).CopyTo(buffer);
        _early = _early[early..];
        using var timeout = new CancellationTokenSource(5000);
        await _stream.ReadExactlyAsync(buffer.AsMemory(early), timeout.Token);
        return buffer;
    }

    /// <summary>Vanishes: closes the socket with a TCP reset, as a client whose process dies or whose network drops does.</summary>
    public void Reset()
    {
        _tcp.Client.LingerState = new System.Net.Sockets.LingerOption(true, 0);
        _tcp.Close();
    }

    public void Dispose() => _tcp.Dispose();
}
