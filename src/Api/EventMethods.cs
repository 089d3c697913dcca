using Edge.Auth;
using System.Text.Json;
using Edge.Runtime;
using Edge.State;

namespace Edge.Api;

/// <summary><c>events.list</c> (the journal, newest first, in pages) and <c>events.add</c> (a client's own <c>user.*</c> event).</summary>
public sealed class EventMethods(EventJournal journal)
{
    public const int MaxLimit = 1000;
    public const int MaxUserDataBytes = 4096;
    private static readonly JsonElement NoData = JsonDocument.Parse("null").RootElement;

    public void Register(ApiDispatcher dispatcher)
    {
        dispatcher.Register("events.list", UserRole.Viewer, List);
        dispatcher.Register("events.add", UserRole.Operator, Add);
    }

    private async ValueTask<ApiResult> List(ApiCall call)
    {
        long? before = null;
        if (call.TryGetParam("before", out var b) && b.ValueKind != JsonValueKind.Null)
            before = b.ValueKind == JsonValueKind.Number && b.TryGetInt64(out long value) && value > 0
                ? value
                : throw ApiException.InvalidParams("params.before must be a positive event number.");
        int limit = 100;
        if (call.TryGetParam("limit", out var l) && l.ValueKind != JsonValueKind.Null)
            limit = l.ValueKind == JsonValueKind.Number && l.TryGetInt32(out int value) && value is > 0 and <= MaxLimit
                ? value
                : throw ApiException.InvalidParams($"params.limit must be between 1 and {MaxLimit}.");
        string kind = call.TryGetParam("kind", out var k) && k.ValueKind == JsonValueKind.String ? k.GetString()! : "";
        return ApiResult.Of(await journal.List(before, limit, kind), JournalJsonContext.Default.JournalPage);
    }

    private async ValueTask<ApiResult> Add(ApiCall call)
    {
        string kind = call.RequireString("kind");
        if (!kind.StartsWith("user.", StringComparison.Ordinal) || kind.Length is < 6 or > 64
            || !Chars.All(kind, c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
            throw ApiException.InvalidParams("params.kind must be 'user.' and 1 to 59 letters, digits, '.', '_' or '-'.");
        var data = call.TryGetParam("data", out var d) ? d : NoData;
        if (data.GetRawText().Length > MaxUserDataBytes)
            throw new ApiException(ApiErrorCode.LimitExceeded, $"params.data is over {MaxUserDataBytes} bytes of JSON.");
        try
        {
            long seq = await journal.Append(kind, data, JournalJsonContext.Default.JsonElement);
            return ApiResult.Of(seq, JournalJsonContext.Default.Int64);
        }
        catch (JournalFullException e)
        {
            throw new ApiException(ApiErrorCode.LimitExceeded, e.Message);
        }
    }
}
