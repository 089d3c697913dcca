using System.Text.Json;

namespace Edge.Api;

/// <summary>One request as a handler sees it.</summary>
public sealed class ApiCall(string method, JsonElement parameters, ApiCaller caller)
{
    public string Method { get; } = method;

    /// <summary>The <c>params</c> object; <see cref="JsonValueKind.Undefined"/> when the request had none.</summary>
    public JsonElement Params { get; } = parameters;

    public ApiCaller Caller { get; } = caller;

    public bool TryGetParam(string name, out JsonElement value)
    {
        value = default;
        return Params.ValueKind == JsonValueKind.Object && Params.TryGetProperty(name, out value);
    }

    public string RequireString(string name)
    {
        if (TryGetParam(name, out var value) && value.ValueKind == JsonValueKind.String) return value.GetString()!;
        throw ApiException.InvalidParams($"params.{name} must be a string.");
    }

    public JsonElement RequireParam(string name)
        => TryGetParam(name, out var value) ? value : throw ApiException.InvalidParams($"params.{name} is required.");

    /// <summary>An array of strings, or null when the parameter is absent.</summary>
    public List<string>? OptionalStringArray(string name)
    {
        if (!TryGetParam(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind != JsonValueKind.Array) throw ApiException.InvalidParams($"params.{name} must be an array of strings.");
        var list = new List<string>(value.GetArrayLength());
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String) throw ApiException.InvalidParams($"params.{name} must be an array of strings.");
            list.Add(item.GetString()!);
        }
        return list;
    }
}

/// <summary>Who sent a request, and over which transport.</summary>
/// <param name="User">The authenticated user name; null when auth is disabled.</param>
/// <param name="Session">The WebSocket session, or null for <c>POST /api</c>.</param>
public sealed record ApiCaller(string? User, IApiSession? Session);

/// <summary>What a WebSocket client offers handlers beyond request and reply.</summary>
public interface IApiSession
{
    /// <summary>Adds state-key prefixes to push; returns the full set now subscribed.</summary>
    IReadOnlyCollection<string> Subscribe(IEnumerable<string> prefixes);

    IReadOnlyCollection<string> Unsubscribe(IEnumerable<string> prefixes);
}
