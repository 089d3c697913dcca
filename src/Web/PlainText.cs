using Microsoft.AspNetCore.Http;

namespace Edge.Web;

/// <summary>Short plain-text answers for refused requests (401, 403, 405, 429, 503, …).</summary>
public static class PlainText
{
    public static Task Write(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(message);
    }
}
