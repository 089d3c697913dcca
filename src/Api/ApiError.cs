using Edge.State;

namespace Edge.Api;

/// <summary>Error codes of the JSON envelope (JSON-RPC 2.0 numbering, plus Edge's own below -32000).</summary>
public static class ApiErrorCode
{
    public const int ParseError = -32700;
    public const int InvalidRequest = -32600;
    public const int MethodNotFound = -32601;
    public const int InvalidParams = -32602;
    public const int InternalError = -32603;
    public const int Forbidden = -32001;
    public const int LimitExceeded = -32002;
    public const int Unsupported = -32003;
    public const int Unavailable = -32004;
}

/// <summary>Thrown by a handler to answer with an error reply; the connection stays open.</summary>
public sealed class ApiException(int code, string message) : Exception(message)
{
    public int Code { get; } = code;

    public static ApiException InvalidParams(string message) => new(ApiErrorCode.InvalidParams, message);

    /// <summary>The reply for a refused state write, whichever method made it.</summary>
    public static ApiException From(StateException refusal) => new(refusal.Error switch
    {
        StateError.NotWritable => ApiErrorCode.Forbidden,
        StateError.InvalidKey or StateError.InvalidValue => ApiErrorCode.InvalidParams,
        StateError.Unavailable => ApiErrorCode.Unavailable,
        _ => ApiErrorCode.LimitExceeded,
    }, refusal.Message);
}
