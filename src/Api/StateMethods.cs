using Edge.Auth;
using System.Text.Json;
using Edge.State;

namespace Edge.Api;

/// <summary><c>state.get</c>, <c>state.set</c>, <c>state.subscribe</c>, <c>state.unsubscribe</c>.</summary>
public sealed class StateMethods(StateStore store)
{
    public void Register(ApiDispatcher dispatcher)
    {
        dispatcher.Register("state.get", UserRole.Viewer, Get);
        dispatcher.Register("state.set", UserRole.Operator, Set);
        dispatcher.Register("state.subscribe", UserRole.Viewer, Subscribe);
        dispatcher.Register("state.unsubscribe", UserRole.Viewer, Unsubscribe);
    }

    private ValueTask<ApiResult> Get(ApiCall call)
    {
        var keys = call.OptionalStringArray("keys");
        var entries = new List<StateEntry>();
        if (keys == null) entries.AddRange(store.Entries);
        else foreach (var key in keys) if (store.TryGet(key, out var entry)) entries.Add(entry);
        return ApiResult.Write(w =>
        {
            w.WriteStartObject();
            foreach (var entry in entries)
            {
                w.WritePropertyName(entry.Key);
                w.WriteRawValue(entry.Json, skipInputValidation: true);
            }
            w.WriteEndObject();
        });
    }

    private async ValueTask<ApiResult> Set(ApiCall call)
    {
        string key = call.RequireString("key");
        JsonElement value = call.RequireParam("value");
        try
        {
            await store.SetFromClient(key, value);
        }
        catch (StateException e)
        {
            throw ApiException.From(e);
        }
        store.TryGet(key, out var stored);
        return ApiResult.Of(new StateSetResult(key, stored.Version), ApiJsonContext.Default.StateSetResult);
    }

    private ValueTask<ApiResult> Subscribe(ApiCall call)
        => ApiResult.Of(new SubscriptionResult(RequireSession(call).Subscribe(RequirePrefixes(call))),
            ApiJsonContext.Default.SubscriptionResult);

    private ValueTask<ApiResult> Unsubscribe(ApiCall call)
        => ApiResult.Of(new SubscriptionResult(RequireSession(call).Unsubscribe(RequirePrefixes(call))),
            ApiJsonContext.Default.SubscriptionResult);

    private static IApiSession RequireSession(ApiCall call)
        => call.Caller.Session ?? throw new ApiException(ApiErrorCode.Unsupported, $"{call.Method} needs a WebSocket connection to /api.");

    private static List<string> RequirePrefixes(ApiCall call)
        => call.OptionalStringArray("prefixes")
            ?? throw ApiException.InvalidParams("params.prefixes must be an array of strings (\"\" means every key).");
}

public sealed record StateSetResult(string Key, long Version);

public sealed record SubscriptionResult(IReadOnlyCollection<string> Prefixes);
