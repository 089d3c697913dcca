using System.Buffers;
using Microsoft.AspNetCore.Http;

namespace Edge.Web;

/// <summary>Reads a request body with a size limit.</summary>
public static class RequestBody
{
    /// <summary>
    /// The body, or null when it is larger than <paramref name="maxBytes"/>. Broken framing throws
    /// <see cref="BadHttpRequestException"/>, which <see cref="RequestFaults"/> answers.
    /// </summary>
    public static async Task<byte[]?> Read(HttpRequest request, int maxBytes)
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
