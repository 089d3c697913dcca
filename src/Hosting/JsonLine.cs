using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Edge.Hosting;

/// <summary>The one JSON object a command prints (bench-encode, codec-check), written field by field.</summary>
public static class JsonLine
{
    public static string Of(Action<Utf8JsonWriter> fields)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            fields(json);
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
