using System.Buffers;
using System.Text;
using System.Text.Json;
using Edge.Monitoring;

namespace Edge.Tests.Monitoring;

internal static class Json
{
    /// <summary>The JSON a state value writes of itself; "null" for none.</summary>
    public static string Of(IJsonWritable? value)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            if (value == null) writer.WriteNullValue();
            else value.WriteTo(writer);
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
