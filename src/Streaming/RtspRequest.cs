namespace Edge.Streaming;

/// <summary>One RTSP request as read from a connection.</summary>
public sealed class RtspRequest(string method, string uri, Dictionary<string, string> headers, byte[] body)
{
    public string Method { get; } = method;

    public string Uri { get; } = uri;

    /// <summary>Header values by name (case-insensitive); a repeated header keeps its last value.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; } = headers;

    public byte[] Body { get; } = body;

    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    /// <summary>The CSeq, or null when it is missing or not a number.</summary>
    public string? CSeq => Header("CSeq") is { } cseq && uint.TryParse(cseq.Trim(), out _) ? cseq.Trim() : null;
}
