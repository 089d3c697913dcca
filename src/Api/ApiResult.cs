using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Edge.Api;

/// <summary>A handler's result: a value with its source-generated JSON contract, or raw JSON.</summary>
public readonly struct ApiResult
{
    private readonly object? _value;
    private readonly JsonTypeInfo? _type;
    private readonly Action<Utf8JsonWriter>? _write;

    private ApiResult(object? value, JsonTypeInfo? type, Action<Utf8JsonWriter>? write)
    {
        _value = value;
        _type = type;
        _write = write;
    }

    public static ApiResult Null => default;

    public static ApiResult Of<T>(T value, JsonTypeInfo<T> type) => new(value, type, null);

    /// <summary>A result written directly, for values that are already JSON (state entries).</summary>
    public static ApiResult Write(Action<Utf8JsonWriter> write) => new(null, null, write);

    public static implicit operator ValueTask<ApiResult>(ApiResult result) => new(result);

    internal void WriteTo(Utf8JsonWriter writer)
    {
        if (_write != null) _write(writer);
        else if (_type != null) JsonSerializer.Serialize(writer, _value, _type);
        else writer.WriteNullValue();
    }
}
