using Edge.Auth;
using Edge.Api;
using Edge.Runtime;
using Edge.Web.WebSockets;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Edge.Web;

/// <summary>
/// <c>/api</c> (WebSocket upgrade or <c>POST</c>), <c>/login</c> and <c>/logout</c>. Each handler hops
/// onto the event loop once and does all of its work there.
/// </summary>
public sealed class ApiEndpoints(EventLoop loop, ApiDispatcher dispatcher, SessionHub hub, Authenticator auth)
{
    /// <summary>Largest <c>POST /api</c> body.</summary>
    public const int MaxBodyBytes = 65536;

    public Task Api(HttpContext context) => loop.InvokeAsync(() => ServeApi(context));

    public Task Login(HttpContext context) => loop.InvokeAsync(() => ServeLogin(context));

    public Task Logout(HttpContext context) => loop.InvokeAsync(() => ServeLogout(context));

    private async Task ServeApi(HttpContext context)
    {
        var result = await AuthGate.Check(auth, context, UserRole.Viewer);
        if (result is not { } allowed) return;
        // A browser always names the page that sent the request; one from another site is refused,
        // however the browser authenticated it (cookie, or Basic credentials it remembered).
        if (!AuthGate.IsSameOrigin(context))
        {
            await PlainText.Write(context, StatusCodes.Status403Forbidden, "Cross-origin request refused.");
            return;
        }
        if (WebSocketHandshake.IsWebSocketRequest(context))
        {
            await hub.Serve(context, allowed.User);
            return;
        }
        if (!HttpMethods.IsPost(context.Request.Method))
        {
            context.Response.Headers.Allow = "POST";
            await PlainText.Write(context, StatusCodes.Status405MethodNotAllowed, "Use POST with a JSON request, or a WebSocket upgrade.");
            return;
        }
        // A browser session must prove it is not a cross-site form post.
        if (allowed.ByCookie && !IsJson(context.Request.ContentType))
        {
            await PlainText.Write(context, StatusCodes.Status415UnsupportedMediaType, "Content-Type must be application/json.");
            return;
        }
        var body = await RequestBody.Read(context.Request, MaxBodyBytes);
        byte[] reply = body == null
            ? ApiDispatcher.Error(default, ApiErrorCode.LimitExceeded, $"Request bodies are limited to {MaxBodyBytes} bytes.")
            : await dispatcher.Dispatch(body, new ApiCaller(allowed.User, null));
        if (body == null) context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = reply.Length;
        await context.Response.Body.WriteAsync(reply);
    }

    private async Task ServeLogin(HttpContext context)
    {
        if (!HttpMethods.IsPost(context.Request.Method))
        {
            await PlainText.Write(context, StatusCodes.Status405MethodNotAllowed, "Use POST with HTTP Basic credentials.");
            return;
        }
        var result = await AuthGate.Check(auth, context, UserRole.Viewer, allowCookie: false);
        if (result is not { } allowed) return;
        if (auth.Enabled && allowed.User != null)
        {
            context.Response.Cookies.Append(Authenticator.CookieName, auth.StartSession(allowed.User), new CookieOptions
            {
                HttpOnly = true,
                SameSite = SameSiteMode.Strict,
                Path = "/",
                Secure = context.Request.IsHttps,
                MaxAge = SessionTokens.Lifetime,
            });
        }
        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    private Task ServeLogout(HttpContext context)
    {
        // POST only: a cross-site <img src="/logout"> must not end anyone's session.
        if (!HttpMethods.IsPost(context.Request.Method))
            return PlainText.Write(context, StatusCodes.Status405MethodNotAllowed, "Use POST.");
        auth.EndSession(context.Request.Cookies[Authenticator.CookieName]);
        context.Response.Cookies.Delete(Authenticator.CookieName);
        context.Response.StatusCode = StatusCodes.Status204NoContent;
        return Task.CompletedTask;
    }

    private static bool IsJson(StringValues contentType)
        => contentType.Count == 1 && contentType[0]!.StartsWith("application/json", StringComparison.OrdinalIgnoreCase);
}
