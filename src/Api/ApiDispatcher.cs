using Edge.State;
using System.Buffers;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Unicode;
using Edge.Auth;
using Edge.Runtime;
using Microsoft.Extensions.Logging;

namespace Edge.Api;

/// <summary>Handles one API method; runs on the event loop.</summary>
public delegate ValueTask<ApiResult> ApiHandler(ApiCall call);

/// <summary>
/// Maps method names to handlers and turns a request envelope into a reply envelope. Both transports
/// (WebSocket <c>/api</c> and <c>POST /api</c>) go through <see cref="Dispatch"/> on the loop.
/// </summary>
public sealed partial class ApiDispatcher
{
    private const int MaxDepth = 32;
    private readonly Dictionary<string, ApiMethod> _methods = new(StringComparer.Ordinal);
    private readonly List<ApiMethod> _registered = [];
    private readonly EventLoop _loop;
    private readonly IUserRoles _roles;
    private readonly ILogger _logger;

    public ApiDispatcher(EventLoop loop, IUserRoles roles, ILogger logger)
    {
        _loop = loop;
        _roles = roles;
        _logger = logger;
    }

    /// <summary>Adds a method that callers with <paramref name="role"/> or above may call.</summary>
    public void Register(string method, UserRole role, ApiHandler handler)
    {
        var registered = new ApiMethod(method, role, handler);
        _methods.Add(method, registered);
        _registered.Add(registered);
    }

    /// <summary>Every registered method with its latency, in registration order (for <c>/metrics</c>).</summary>
    public IReadOnlyList<ApiMethod> Methods => _registered;

    /// <summary>Answers one request (UTF-8 JSON) with a reply envelope (UTF-8 JSON). Never throws for bad input.</summary>
    public async ValueTask<byte[]> Dispatch(ReadOnlyMemory<byte> request, ApiCaller caller)
    {
        _loop.VerifyAccess();
        // JsonDocument checks UTF-8 inside strings only when they are read: check it all first.
        if (!Utf8.IsValid(request.Span)) return Error(default, ApiErrorCode.ParseError, "Malformed JSON: the request is not valid UTF-8.");
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(request, new JsonDocumentOptions { MaxDepth = MaxDepth });
        }
        catch (JsonException e)
        {
            return Error(default, ApiErrorCode.ParseError, $"Malformed JSON: {e.Message}");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                return Error(default, ApiErrorCode.InvalidRequest, "A request is a JSON object with \"method\".");
            root.TryGetProperty("id", out var id);
            if (id.ValueKind is JsonValueKind.Object or JsonValueKind.Array)
                return Error(default, ApiErrorCode.InvalidRequest, "\"id\" must be a string, a number or null.");
            if (!root.TryGetProperty("method", out var methodElement) || methodElement.ValueKind != JsonValueKind.String)
                return Error(id, ApiErrorCode.InvalidRequest, "\"method\" must be a string.");
            string method = methodElement.GetString()!;
            root.TryGetProperty("params", out var parameters);
            if (parameters.ValueKind is not (JsonValueKind.Undefined or JsonValueKind.Null or JsonValueKind.Object))
                return Error(id, ApiErrorCode.InvalidParams, "\"params\" must be an object.");
            if (LoneSurrogates.In(request.Span))
                return Error(id, ApiErrorCode.InvalidParams,
                    "A string holds a lone UTF-16 surrogate escape (such as \\ud800 without its pair): it is no text.");
            if (!_methods.TryGetValue(method, out var registered))
                return Error(id, ApiErrorCode.MethodNotFound, $"Unknown method '{method}'.");
            if (_roles.RoleOf(caller.User) < registered.Role)
                return Error(id, ApiErrorCode.Forbidden, UserRoles.Refusal(method, registered.Role));
            long start = Stopwatch.GetTimestamp();
            try
            {
                var result = await registered.Handler(new ApiCall(method, parameters, caller));
                return Reply(id, result);
            }
            catch (ApiException e)
            {
                return Error(id, e.Code, e.Message);
            }
            catch (StorageException e)
            {
                // Logged once per cause by StorageHealth, not once per call.
                return Error(id, ApiErrorCode.Unavailable, e.Message);
            }
            catch (Exception e)
            {
                registered.Failures++;
                Log.MethodFailed(_logger, e, method, e.Message);
                return Error(id, ApiErrorCode.InternalError, $"Internal error in '{method}'.");
            }
            finally
            {
                registered.Record(Stopwatch.GetTimestamp() - start);
            }
        }
    }

    private static byte[] Reply(JsonElement id, ApiResult result)
        => Envelope(id, w =>
        {
            w.WritePropertyName("result"u8);
            result.WriteTo(w);
        });

    /// <summary>An error envelope; <paramref name="id"/> may be <c>default</c> when unknown.</summary>
    public static byte[] Error(JsonElement id, int code, string message)
        => Envelope(id, w =>
        {
            w.WriteStartObject("error"u8);
            w.WriteNumber("code"u8, code);
            w.WriteString("message"u8, message);
            w.WriteEndObject();
        });

    private static byte[] Envelope(JsonElement id, Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WritePropertyName("id"u8);
            if (id.ValueKind == JsonValueKind.Undefined) writer.WriteNullValue();
            else id.WriteTo(writer);
            body(writer);
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Error, Message = "API method {Method} failed: {Message}")]
        public static partial void MethodFailed(ILogger logger, Exception exception, string method, string message);
    }
}
