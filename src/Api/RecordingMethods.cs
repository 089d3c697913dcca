using System.Globalization;
using System.Text.Json;
using Edge.Auth;
using Edge.Recording;
using Edge.Runtime;
using Edge.State;

namespace Edge.Api;

/// <summary>
/// <c>recording.start</c> and <c>recording.stop</c> (operator), <c>recordings.list</c> (oldest first, in
/// pages, by time range) and <c>recordings.delete</c> (operator).
/// </summary>
public sealed class RecordingMethods(RecordingService recorder, RecordingStore store, WorkerPool pool)
{
    public const int MaxLimit = 1000;

    public void Register(ApiDispatcher dispatcher)
    {
        dispatcher.Register("recording.start", UserRole.Operator, Start);
        dispatcher.Register("recording.stop", UserRole.Operator, Stop);
        dispatcher.Register("recordings.list", UserRole.Viewer, List);
        dispatcher.Register("recordings.delete", UserRole.Operator, Delete);
    }

    private ValueTask<ApiResult> Start(ApiCall call)
    {
        recorder.Start("api");
        return ValueTask.FromResult(ApiResult.Of(true, StateJsonContext.Default.Boolean));
    }

    private ValueTask<ApiResult> Stop(ApiCall call)
    {
        recorder.Stop();
        return ValueTask.FromResult(ApiResult.Of(recorder.Recording, StateJsonContext.Default.Boolean));
    }

    private async ValueTask<ApiResult> List(ApiCall call)
    {
        var from = Time(call, "from") ?? DateTimeOffset.MinValue;
        var to = Time(call, "to") ?? DateTimeOffset.MaxValue;
        string? after = null;
        if (call.TryGetParam("after", out var a) && a.ValueKind != JsonValueKind.Null)
            after = a.ValueKind == JsonValueKind.String && RecordingStore.TryParse(a.GetString()!, out _)
                ? a.GetString()
                : throw ApiException.InvalidParams("params.after must be a recording's name (the page's next).");
        int limit = 100;
        if (call.TryGetParam("limit", out var l) && l.ValueKind != JsonValueKind.Null)
            limit = l.ValueKind == JsonValueKind.Number && l.TryGetInt32(out int value) && value is > 0 and <= MaxLimit
                ? value
                : throw ApiException.InvalidParams($"params.limit must be between 1 and {MaxLimit}.");
        var all = await pool.Submit(_ => store.List(), PoolFullMode.Wait);
        var page = new List<RecordingInfo>();
        string? next = null;
        foreach (var recording in all)
        {
            // A recording belongs to the range when any of it falls inside.
            if (recording.Start > to || recording.Start.AddSeconds(recording.Seconds) < from) continue;
            if (after != null && string.CompareOrdinal(recording.Name, after) <= 0) continue;
            if (page.Count == limit)
            {
                next = page[^1].Name;
                break;
            }
            page.Add(recording);
        }
        return ApiResult.Of(new RecordingPage(page, next), RecordingJsonContext.Default.RecordingPage);
    }

    private async ValueTask<ApiResult> Delete(ApiCall call)
    {
        string name = call.RequireString("name");
        if (!RecordingStore.TryParse(name, out _)) throw ApiException.InvalidParams("params.name must be a recording's name.");
        if (name == store.Writing) throw new ApiException(ApiErrorCode.Unavailable, $"'{name}' is being recorded; stop first.");
        bool deleted = await pool.Submit(_ => store.Delete(name), PoolFullMode.Wait);
        if (!deleted) throw ApiException.InvalidParams($"No recording named '{name}'.");
        return ApiResult.Of(true, StateJsonContext.Default.Boolean);
    }

    private static DateTimeOffset? Time(ApiCall call, string name)
    {
        if (!call.TryGetParam(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        return value.ValueKind == JsonValueKind.String && DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal, out var time)
            ? time
            : throw ApiException.InvalidParams($"params.{name} must be an ISO 8601 time, like 2026-12-05T14:15:00Z.");
    }
}
