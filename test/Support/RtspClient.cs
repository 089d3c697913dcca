using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Edge.Tests.Support;

/// <summary>A plain RTSP client on a socket, for protocol-level tests (ffmpeg covers playback).</summary>
public sealed class RtspClient : IDisposable
{
    private readonly Socket _socket;
    private readonly List<byte> _input = [];
    private int _cseq;

    private RtspClient(Socket socket) => _socket = socket;

    /// <param name="receiveBufferBytes">A small kernel buffer makes a client that stops reading stall the server's socket quickly.</param>
    public static async Task<RtspClient> Connect(int port, int? receiveBufferBytes = null)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        if (receiveBufferBytes is { } size) socket.ReceiveBufferSize = size;
        await socket.ConnectAsync(IPAddress.Loopback, port);
        return new RtspClient(socket);
    }

    public Socket Socket => _socket;

    public static string Credentials
        => "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{EdgeServer.User}:{EdgeServer.Password}"));

    public sealed record Response(int Status, Dictionary<string, string> Headers, string Body);

    /// <summary>
    /// Sends a request with the next CSeq (and the test user's credentials unless told otherwise) and reads
    /// its response, skipping interleaved packets.
    /// </summary>
    public async Task<Response> Request(string method, string uri, string? authorization = "", params (string Name, string Value)[] headers)
    {
        var text = new StringBuilder($"{method} {uri} RTSP/1.0\r\nCSeq: {++_cseq}\r\n");
        if (authorization != null) text.Append($"Authorization: {(authorization == "" ? Credentials : authorization)}\r\n");
        foreach (var (name, value) in headers) text.Append($"{name}: {value}\r\n");
        text.Append("\r\n");
        await SendRaw(Encoding.ASCII.GetBytes(text.ToString()));
        return await ReadResponse();
    }

    public Task SendRaw(byte[] bytes) => _socket.SendAsync(bytes);

    public async Task<Response> ReadResponse(int timeoutMs = 10000)
    {
        using var timeout = new CancellationTokenSource(timeoutMs);
        while (true)
        {
            SkipInterleaved();
            int end = IndexOf("\r\n\r\n"u8);
            if (end >= 0)
            {
                string head = Encoding.ASCII.GetString(_input.GetRange(0, end).ToArray());
                var lines = head.Split("\r\n");
                var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                foreach (var line in lines.Skip(1))
                {
                    // A repeated header (two WWW-Authenticate challenges) keeps all its values, one per line.
                    string name = line[..line.IndexOf(':')].Trim(), value = line[(line.IndexOf(':') + 1)..].Trim();
                    headers[name] = headers.TryGetValue(name, out var earlier) ? earlier + "\n" + value : value;
                }
                int length = headers.TryGetValue("Content-Length", out var l) ? int.Parse(l) : 0;
                while (_input.Count < end + 4 + length) await Fill(timeout.Token);
                string body = Encoding.ASCII.GetString(_input.GetRange(end + 4, length).ToArray());
                _input.RemoveRange(0, end + 4 + length);
                return new Response(int.Parse(lines[0].Split(' ')[1]), headers, body);
            }
            if (await Fill(timeout.Token) == 0) throw new IOException("the server closed the connection");
        }
    }

    /// <summary>Reads interleaved packets until <paramref name="count"/> RTP packets on channel 0 arrived; returns them.</summary>
    public async Task<List<byte[]>> ReadPackets(int count, int timeoutMs = 10000)
    {
        using var timeout = new CancellationTokenSource(timeoutMs);
        var packets = new List<byte[]>();
        while (packets.Count < count)
        {
            while (packets.Count < count && _input.Count >= 4 && _input[0] == '$' && _input.Count >= 4 + (_input[2] << 8 | _input[3]))
            {
                int length = _input[2] << 8 | _input[3];
                if (_input[1] == 0) packets.Add(_input.GetRange(4, length).ToArray());
                _input.RemoveRange(0, 4 + length);
            }
            if (packets.Count >= count) break;
            if (_input.Count > 0 && _input[0] != '$') throw new InvalidDataException("expected interleaved data");
            if (await Fill(timeout.Token) == 0) throw new IOException("the server closed the connection");
        }
        return packets;
    }

    /// <summary>True once the server has closed the connection (reads until end of stream).</summary>
    public async Task<bool> ClosedByServer(int timeoutMs = 5000)
    {
        using var timeout = new CancellationTokenSource(timeoutMs);
        try
        {
            while (await Fill(timeout.Token) > 0) { }
            return true;
        }
        catch (OperationCanceledException) { return false; }
        catch (SocketException) { return true; }
    }

    private void SkipInterleaved()
    {
        while (_input.Count >= 4 && _input[0] == '$' && _input.Count >= 4 + (_input[2] << 8 | _input[3]))
            _input.RemoveRange(0, 4 + (_input[2] << 8 | _input[3]));
    }

    private int IndexOf(ReadOnlySpan<byte> pattern)
    {
        if (_input.Count > 0 && _input[0] == '$') return -1;
        return _input.ToArray().AsSpan().IndexOf(pattern);
    }

    private async Task<int> Fill(CancellationToken cancellationToken)
    {
        var buffer = new byte[65536];
        int read = await _socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
        _input.AddRange(buffer.AsSpan(0, read).ToArray());
        return read;
    }

    public void Dispose() => _socket.Dispose();
}
