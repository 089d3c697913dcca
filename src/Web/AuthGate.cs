using Edge.Auth;
using Microsoft.AspNetCore.Http;

namespace Edge.Web;

/// <summary>Applies <see cref="Authenticator"/> to an HTTP request and writes the refusal when it says no.</summary>
public static class AuthGate
{
    private const string Challenge = "Basic realm=\"Edge\", charset=\"UTF-8\"";

    /// <summary>
    /// The result when the request may go on; otherwise null, with 401/403/429/503 already written.
    /// A user whose role is below <paramref name="needed"/> gets 403 naming the role. Loop only.
    /// </summary>
    public static async Task<AuthResult?> Check(Authenticator auth, HttpContext context, UserRole needed, bool allowCookie = true)
    {
        var result = await Check(auth, context, allowCookie);
        if (result is not { } allowed || auth.RoleOf(allowed.User) >= needed) return result;
        await PlainText.Write(context, StatusCodes.Status403Forbidden,
            UserRoles.Refusal($"{context.Request.Method} {context.Request.Path}", needed));
        return null;
    }

    private static async Task<AuthResult?> Check(Authenticator auth, HttpContext context, bool allowCookie)
    {
        var request = context.Request;
        string? authorization = request.Headers.Authorization.Count > 0 ? request.Headers.Authorization[0] : null;
        string? cookie = allowCookie ? request.Cookies[Authenticator.CookieName] : null;
        var result = await auth.Authenticate(context.Connection.RemoteIpAddress, authorization, cookie);
        switch (result.Outcome)
        {
            case AuthOutcome.Allowed:
                return result;
            case AuthOutcome.Throttled:
                context.Response.Headers.RetryAfter = Math.Ceiling(result.RetryAfter.TotalSeconds)
                    .ToString(System.Globalization.CultureInfo.InvariantCulture);
                await PlainText.Write(context, StatusCodes.Status429TooManyRequests,
                    "Too many failed logins from this address; try again later.");
                return null;
            case AuthOutcome.Busy:
                context.Response.Headers.RetryAfter = "1";
                await PlainText.Write(context, StatusCodes.Status503ServiceUnavailable, "Server busy");
                return null;
            default:
                // Scripted browser requests get no challenge, so the browser shows no password pop-up.
                if (!request.Headers.ContainsKey("X-Requested-With")) context.Response.Headers.WWWAuthenticate = Challenge;
                await PlainText.Write(context, StatusCodes.Status401Unauthorized, "Authentication required.");
                return null;
        }
    }

    /// <summary>True when the browser's Origin names this very host (guards cookie-authenticated WebSockets).</summary>
    public static bool IsSameOrigin(HttpContext context)
    {
        string? origin = context.Request.Headers.Origin;
        if (string.IsNullOrEmpty(origin)) return true;
        return Uri.TryCreate(origin, UriKind.Absolute, out var uri)
            && string.Equals(uri.Authority, context.Request.Host.Value, StringComparison.OrdinalIgnoreCase);
    }
}
