using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;

namespace Edge.Web;

/// <summary>JSON answers of the plain HTTP endpoints (/files, /readyz).</summary>
public static class JsonReply
{
    /// <summary>
    /// Writes <paramref name="value"/> as the body. Serialized whole first: Edge's write-only JSON
    /// contexts have fast-path serializers only, which streaming serialization cannot use.
    /// </summary>
    public static Task Write<T>(HttpContext context, T value, JsonTypeInfo<T> type)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        return context.Response.Body.WriteAsync(JsonSerializer.SerializeToUtf8Bytes(value, type)).AsTask();
    }

    /// <summary>Writes what <paramref name="write"/> makes with a JSON writer as the body, in one piece.</summary>
    public static Task Write(HttpContext context, Action<Utf8JsonWriter> write)
    {
        var body = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(body)) write(writer);
        context.Response.ContentType = "application/json; charset=utf-8";
        return context.Response.Body.WriteAsync(body.WrittenMemory).AsTask();
    }
}
