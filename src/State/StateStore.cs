using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Edge.Runtime;

namespace Edge.State;

/// <summary>
/// Applies a client's write to a key that a part owns (a GPIO output): checks the value, makes it so,
/// then publishes it; throws <see cref="StateException"/> to refuse, leaving everything as it was.
/// </summary>
public delegate ValueTask StateWriter(string key, JsonElement value);

/// <summary>
/// Named JSON values that parts publish (<c>camera.fps</c>, <c>system.cpu</c>, ...) and clients read,
/// subscribe to and, where writable, set. Lives on the event loop: every member must be called there.
/// </summary>
public sealed class StateStore
{
    /// <summary>Keys under this prefix are writable by any authenticated client.</summary>
    public const string UserPrefix = "user.";
    public const int MaxUserValueBytes = 4096;
    public const int MaxUserKeys = 256;
    public const int MaxKeyLength = 128;

    private readonly EventLoop _loop;
    private readonly Dictionary<string, StateEntry> _entries = new(StringComparer.Ordinal);
    private readonly Dictionary<string, StateWriter> _writers = new(StringComparer.Ordinal);
    private readonly System.Buffers.ArrayBufferWriter<byte> _buffer = new(256);
    private readonly Utf8JsonWriter _writer;
    private int _userKeys;

    public StateStore(EventLoop loop)
    {
        _loop = loop;
        _writer = new Utf8JsonWriter(_buffer);
    }

    /// <summary>Raised on the loop after a value changed (not when it was set to the same JSON).</summary>
    public event Action<StateEntry>? Changed;

    public IEnumerable<StateEntry> Entries
    {
        get
        {
            _loop.VerifyAccess();
            return _entries.Values;
        }
    }

    public bool TryGet(string key, out StateEntry entry)
    {
        _loop.VerifyAccess();
        return _entries.TryGetValue(key, out entry!);
    }

    /// <summary>
    /// Sets a value owned by a part of the server; <paramref name="writable"/> lets clients change it too.
    /// Serialized into a buffer the store reuses and copied only when it changed: the parts publish their
    /// numbers every second, mostly unchanged.
    /// </summary>
    public void Publish<T>(string key, T value, JsonTypeInfo<T> type, bool writable = false)
    {
        _loop.VerifyAccess();
        _buffer.ResetWrittenCount();
        _writer.Reset(_buffer);
        JsonSerializer.Serialize(_writer, value, type);
        _writer.Flush();
        PublishIfChanged(key, _buffer.WrittenSpan, writable);
    }

    /// <summary>
    /// Sets a read-only value its owner writes itself into the store's reused writer (no serializer
    /// metadata in the binary for a value only the state shows); copied only when it changed.
    /// </summary>
    public void PublishWritten(string key, Action<Utf8JsonWriter> write)
    {
        _loop.VerifyAccess();
        _buffer.ResetWrittenCount();
        _writer.Reset(_buffer);
        write(_writer);
        _writer.Flush();
        PublishIfChanged(key, _buffer.WrittenSpan, writable: false);
    }

    /// <summary>Sets a read-only value from JSON its owner wrote itself (valid UTF-8 JSON); copied only when it changed.</summary>
    public void PublishJson(string key, ReadOnlySpan<byte> json)
    {
        _loop.VerifyAccess();
        PublishIfChanged(key, json, writable: false);
    }

    private void PublishIfChanged(string key, ReadOnlySpan<byte> json, bool writable)
    {
        if (_entries.TryGetValue(key, out var current) && current.Writable == writable && current.Json.AsSpan().SequenceEqual(json)) return;
        Store(key, json.ToArray(), writable);
    }

    /// <summary>
    /// Lets clients set the keys under <paramref name="prefix"/> (such as <c>gpio.</c>) through
    /// <paramref name="writer"/>. Called while composing, before the loop serves clients.
    /// </summary>
    public void AddWriter(string prefix, StateWriter writer)
    {
        if (!prefix.EndsWith('.') || prefix == UserPrefix)
            throw new ArgumentException($"A writer owns a prefix ending in '.' other than '{UserPrefix}' (got '{prefix}').",
                nameof(prefix));
        _writers.Add(prefix, writer);
    }

    /// <summary>
    /// Sets a value on behalf of a client, enforcing who may write what: keys under a writer's
    /// prefix go to that writer, <c>user.*</c> keys are stored, anything else must be writable.
    /// </summary>
    public ValueTask SetFromClient(string key, JsonElement value)
    {
        _loop.VerifyAccess();
        ValidateKey(key);
        foreach (var (prefix, writer) in _writers)
            if (key.StartsWith(prefix, StringComparison.Ordinal)) return writer(key, value);
        bool isUser = key.StartsWith(UserPrefix, StringComparison.Ordinal);
        bool exists = _entries.TryGetValue(key, out var current);
        if (!isUser && !(exists && current!.Writable))
            throw new StateException(StateError.NotWritable,
                exists ? $"'{key}' is read-only." : $"'{key}' does not exist and only '{UserPrefix}*' keys can be created.");
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(value, StateJsonContext.Default.JsonElement);
        if (isUser)
        {
            if (json.Length > MaxUserValueBytes)
                throw new StateException(StateError.TooLarge,
                    $"Values under '{UserPrefix}' are limited to {MaxUserValueBytes} bytes of JSON (got {json.Length}).");
            if (!exists && _userKeys >= MaxUserKeys)
                throw new StateException(StateError.TooMany, $"At most {MaxUserKeys} '{UserPrefix}' keys can exist.");
        }
        Store(key, json, writable: true);
        return ValueTask.CompletedTask;
    }

    private void Store(string key, byte[] json, bool writable)
    {
        _loop.VerifyAccess();
        if (_entries.TryGetValue(key, out var current))
        {
            if (current.Writable == writable && current.Json.AsSpan().SequenceEqual(json)) return;
        }
        else if (key.StartsWith(UserPrefix, StringComparison.Ordinal))
        {
            _userKeys++;
        }
        var entry = new StateEntry(key, json, writable, (current?.Version ?? 0) + 1);
        _entries[key] = entry;
        Changed?.Invoke(entry);
    }

    private static void ValidateKey(string key)
    {
        if (key.Length == 0 || key.Length > MaxKeyLength)
            throw new StateException(StateError.InvalidKey, $"Keys are 1 to {MaxKeyLength} characters long.");
        foreach (char c in key)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
                throw new StateException(StateError.InvalidKey, $"Keys may hold only letters, digits, '.', '_' and '-' (got '{key}').");
        }
        if (key[0] == '.' || key[^1] == '.' || key.Contains("..", StringComparison.Ordinal))
            throw new StateException(StateError.InvalidKey, $"Key segments between dots may not be empty (got '{key}').");
    }
}
