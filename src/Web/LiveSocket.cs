using Edge.Web.WebSockets;

namespace Edge.Web;

/// <summary>
/// The sending side of a live video WebSocket (and of go2rtc's signalling socket): each message's
/// header, then its payload straight from the shared fragment (no copy per viewer); a pong the player
/// asked for goes out before the next message. Only the sender writes. Loop only.
/// </summary>
public sealed class LiveSocket(Stream stream)
{
    private readonly byte[] _header = new byte[10];

    /// <summary>A pong to send before the next message.</summary>
    public byte[]? Pong { get; set; }

    /// <summary>The close code to answer with once the player closed or broke the protocol.</summary>
    public ushort? CloseCode { get; set; }

    /// <summary>Writes one binary or text message; always true, "go on" (a failed write throws).</summary>
    public async ValueTask<bool> Write(byte opcode, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        if (Pong is { } pong)
        {
            Pong = null;
            await stream.WriteAsync(pong, cancellationToken);
        }
        int length = WebSocketFrames.WriteHeader(_header, opcode, payload.Length);
        await stream.WriteAsync(_header.AsMemory(0, length), cancellationToken);
        await stream.WriteAsync(payload, cancellationToken);
        return true;
    }

    public async Task Close(ushort code, string reason, CancellationToken cancellationToken)
        => await stream.WriteAsync(WebSocketFrames.BuildClose(code, reason), cancellationToken);
}
