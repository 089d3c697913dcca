using Microsoft.AspNetCore.Http;

namespace Edge.Web.Tls;

/// <summary>
/// <c>Https:RedirectHttp</c> (HTTP requests other than health probes get a 308 to the HTTPS port) and
/// <c>Https:HstsSeconds</c> (the Strict-Transport-Security header on HTTPS responses).
/// </summary>
public sealed class HttpsPolicy(HttpsSettings settings, Func<int> httpsPort)
{
    public Task Apply(HttpContext context, RequestDelegate next)
    {
        var request = context.Request;
        if (request.IsHttps)
        {
            if (settings.HstsSeconds > 0) context.Response.Headers.StrictTransportSecurity = $"max-age={settings.HstsSeconds}";
        }
        else if (settings.RedirectHttp && request.Path != "/healthz" && request.Path != "/readyz")
        {
            // 308 keeps the method and body, so API clients follow it too.
            context.Response.StatusCode = StatusCodes.Status308PermanentRedirect;
            context.Response.Headers.Location =
                $"https://{request.Host.Host}:{httpsPort()}{request.PathBase}{request.Path}{request.QueryString}";
            return Task.CompletedTask;
        }
        return next(context);
    }
}
