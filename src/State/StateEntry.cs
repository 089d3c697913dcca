using System.Text.Json;

namespace Edge.State;

/// <summary>One immutable version of a named value: its UTF-8 JSON, serialized once for every reader.</summary>
public sealed class StateEntry(string key, byte[] json, bool writable, long version)
{
    private byte[]? _push;

    public string Key { get; } = key;

    /// <summary>The value as UTF-8 JSON.</summary>
    public byte[] Json { get; } = json;

    public bool Writable { get; } = writable;

    /// <summary>Starts at 1 and grows with every change of this key.</summary>
    public long Version { get; } = version;

    /// <summary><c>{"state":"key","value":…}</c>, built on first use and shared by every subscriber.</summary>
    public byte[] PushMessage => _push ??= BuildPush();

    private byte[] BuildPush()
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(Json.Length + Key.Length + 24);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("state"u8, Key);
            writer.WritePropertyName("value"u8);
            writer.WriteRawValue(Json, skipInputValidation: true);
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }
}
