using System.Buffers;
using System.Text.Json;
using Edge.Auth;
using Edge.Runtime;
using Edge.Streaming.WebRtc;
using Edge.Web.WebSockets;
using Microsoft.AspNetCore.Http;

namespace Edge.Web;

/// <summary>
/// go2rtc's WebSocket signalling (<c>GET /api/ws?src=…</c>), what go2rtc's <c>video-rtc.js</c> player and
/// the cards built on it speak: <c>{"type":"webrtc/offer","value":SDP}</c> is answered with
/// <c>{"type":"webrtc/answer","value":SDP}</c> (Edge's candidates inside), a refusal with
/// <c>{"type":"error","value":"webrtc/offer: …"}</c> (the player reads the mode from the front); the
/// client's <c>webrtc/candidate</c> messages (ICE-lite learns addresses from the checks) and other modes
/// (<c>mse</c>, <c>mjpeg</c>: the player tries several at once) are ignored, as go2rtc ignores what it
/// does not serve. Any <c>src</c> is Edge's one camera. As in go2rtc, a session outlives the socket (the
/// player closes it once WebRTC plays): it ends as WHEP's do, by consent, a stall, DTLS or BYE; a
/// socket closed before the answer leaves none. Viewers and above; with logins on, only from this
/// origin (cross-site WebSocket hijacking). Loop only.
/// </summary>
public sealed class Go2RtcSignalling(EventLoop loop, WebRtcServer webRtc, Authenticator auth)
{
    public const string Path = "/api/ws";

    // An offer and its JSON around it; a socket with no offer this long is closed.
    private const int MaxMessageBytes = SdpOffer.MaxLength + 1024;
    private const ushort MessageTooBig = 1009;
    private static readonly TimeSpan OfferTimeout = TimeSpan.FromSeconds(10);

    public Task Serve(HttpContext context) => loop.InvokeAsync(() => Run(context));

    private async Task Run(HttpContext context)
    {
        if (await AuthGate.Check(auth, context, UserRole.Viewer) == null) return;
        if (!WebSocketHandshake.IsWebSocketRequest(context))
        {
            await PlainText.Write(context, StatusCodes.Status400BadRequest,
                $"{Path} is go2rtc's WebSocket signalling; WHEP players POST to {WhepEndpoints.Path}.");
            return;
        }
        if (WebSocketHandshake.Validate(context) is { } refusal)
        {
            await PlainText.Write(context, refusal.Status, refusal.Message);
            return;
        }
        if (auth.Enabled && !AuthGate.IsSameOrigin(context))
        {
            await PlainText.Write(context, StatusCodes.Status403Forbidden, "Cross-origin request refused.");
            return;
        }
        var stream = await WebSocketHandshake.Accept(context);
        var socket = new LiveSocket(stream);
        using var reader = new WebSocketReader(stream, MaxMessageBytes);
        using var noOffer = new CancellationTokenSource(OfferTimeout, loop.Time);
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, noOffer.Token);
        string? session = null;
        bool answered = false;
        try
        {
            while (true)
            {
                var message = await reader.Read(ended.Token);
                switch (message.Kind)
                {
                    case WebSocketMessageKind.Text:
                        var (type, value) = Read(message.Payload.Span);
                        if (type != "webrtc/offer") continue;
                        if (session != null && webRtc.Has(session))
                        {
                            await Send(socket, "error", "webrtc/offer: this socket's session is still playing", ended.Token);
                            continue;
                        }
                        try
                        {
                            answered = false;
                            var (id, answer) = await webRtc.Offer(value ?? "", context.Connection.LocalIpAddress);
                            session = id;
                            noOffer.CancelAfter(Timeout.InfiniteTimeSpan);
                            await Send(socket, "webrtc/answer", answer, ended.Token);
                            answered = true;
                        }
                        catch (WhepRefusal refused)
                        {
                            await Send(socket, "error", "webrtc/offer: " + refused.Message, ended.Token);
                        }
                        continue;
                    case WebSocketMessageKind.Ping:
                        await stream.WriteAsync(WebSocketFrames.Build(WebSocketFrames.Pong, message.Payload.Span), ended.Token);
                        continue;
                    case WebSocketMessageKind.Binary or WebSocketMessageKind.Pong:
                        continue;
                    case WebSocketMessageKind.TooBig:
                        await socket.Close(MessageTooBig, "an offer is at most 64 KB", ended.Token);
                        return;
                    case WebSocketMessageKind.ProtocolError:
                        await socket.Close(message.CloseCode, "", ended.Token);
                        return;
                    case WebSocketMessageKind.Close:
                        await socket.Close(WebSocketFrames.NormalClosure, "", ended.Token);
                        return;
                    default: // the connection ended
                        return;
                }
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
            context.Abort();
        }
        finally
        {
            // Made but never answered (the socket went first): nobody will use it.
            if (session != null && !answered) webRtc.Delete(session);
        }
    }

    // A message's "type" and "value" strings; nulls for what is not such an object.
    private static (string? Type, string? Value) Read(ReadOnlySpan<byte> json)
    {
        string? type = null, value = null;
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 4 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return (null, null);
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                bool isType = reader.ValueTextEquals("type"u8), isValue = reader.ValueTextEquals("value"u8);
                reader.Read();
                if (isType && reader.TokenType == JsonTokenType.String) type = reader.GetString();
                else if (isValue && reader.TokenType == JsonTokenType.String) value = reader.GetString();
                else reader.Skip();
            }
        }
        catch (JsonException) { return (null, null); }
        catch (InvalidOperationException) { return (null, null); }
        return (type, value);
    }

    private static async Task Send(LiveSocket socket, string type, string value, CancellationToken cancellationToken)
    {
        var json = new ArrayBufferWriter<byte>(value.Length + 64);
        using (var writer = new Utf8JsonWriter(json))
        {
            writer.WriteStartObject();
            writer.WriteString("type"u8, type);
            writer.WriteString("value"u8, value);
            writer.WriteEndObject();
        }
        await socket.Write(WebSocketFrames.Text, json.WrittenMemory, cancellationToken);
    }
}
