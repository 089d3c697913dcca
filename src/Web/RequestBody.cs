using System.Buffers;
using Microsoft.AspNetCore.Http;

namespace Edge.Web;

/// <summary>Reads a request body with a size limit.</summary>
public static class RequestBody
{
    /// <summary>
    /// The body (null when it is larger than <paramref name="maxBytes"/>); <c>Ok</c> is false when the
    /// body was truncated or malformed, and the response status already says so.
    /// </summary>
    public static async Task<(bool Ok, byte[]? Body)> TryRead(HttpContext context, int maxBytes)
    {
        try
        {
            return (true, await Read(context.Request, maxBytes));
        }
        catch (BadHttpRequestException e)
        {
            // Usually a client that went away mid-request.
            context.Response.StatusCode = e.StatusCode;
            return (false, null);
        }
    }

    private static async Task<byte[]?> Read(HttpRequest request, int maxBytes)
    {
        if (request.ContentLength > maxBytes) return null;
        var reader = request.BodyReader;
        while (true)
        {
            var read = await reader.ReadAsync();
            if (read.Buffer.Length > maxBytes)
            {
                reader.AdvanceTo(read.Buffer.End);
                return null;
            }
            if (read.IsCompleted)
            {
                byte[] body = read.Buffer.ToArray();
                reader.AdvanceTo(read.Buffer.End);
                return body;
            }
            reader.AdvanceTo(read.Buffer.Start, read.Buffer.End);
        }
    }
}
