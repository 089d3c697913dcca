using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Edge.Web.WebSockets;

/// <summary>The server side of the RFC 6455 opening handshake on Kestrel's HTTP/1.1 upgrade.</summary>
public static class WebSocketHandshake
{
    /// <summary>True when the request asks for a WebSocket (it may still be malformed).</summary>
    public static bool IsWebSocketRequest(HttpContext context)
        => context.Request.Headers.Upgrade.Any(v => string.Equals(v, "websocket", StringComparison.OrdinalIgnoreCase));

    /// <summary>Why the upgrade request cannot be accepted, or null when it can.</summary>
    public static (int Status, string Message)? Validate(HttpContext context)
    {
        var request = context.Request;
        if (!HttpMethods.IsGet(request.Method)) return (StatusCodes.Status405MethodNotAllowed, "WebSocket upgrades use GET.");
        if (context.Features.Get<IHttpUpgradeFeature>() is not { IsUpgradableRequest: true })
            return (StatusCodes.Status400BadRequest, "This connection cannot be upgraded (HTTP/1.1 with Connection: Upgrade is needed).");
        if (request.Headers.SecWebSocketVersion != "13")
        {
            context.Response.Headers.SecWebSocketVersion = "13";
            return (StatusCodes.Status426UpgradeRequired, "Only WebSocket version 13 is supported.");
        }
        string? key = request.Headers.SecWebSocketKey;
        Span<byte> decoded = stackalloc byte[18];
        if (key == null || !Convert.TryFromBase64String(key, decoded, out int length) || length != 16)
            return (StatusCodes.Status400BadRequest, "Sec-WebSocket-Key must be 16 bytes in base64.");
        return null;
    }

    /// <summary>Answers 101 Switching Protocols; returns the connection's stream. Call after <see cref="Validate"/>.</summary>
    public static Task<Stream> Accept(HttpContext context)
    {
        var headers = context.Response.Headers;
        headers.Connection = "Upgrade";
        headers.Upgrade = "websocket";
        headers.SecWebSocketAccept = WebSocketFrames.AcceptKey(context.Request.Headers.SecWebSocketKey!);
        return context.Features.Get<IHttpUpgradeFeature>()!.UpgradeAsync();
    }
}
