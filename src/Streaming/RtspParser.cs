using System.Buffers;
using System.Text;
using Edge.Runtime;

namespace Edge.Streaming;

public enum RtspParse { NeedMore, Request, Interleaved, Invalid }

/// <summary>
/// Reads what an RTSP client sends on its TCP connection: requests (request line, headers, a body of
/// Content-Length bytes) and interleaved binary packets (<c>$</c>, channel, 16-bit length: RTCP
/// receiver reports, which are skipped). Sizes are limited; anything else is invalid.
/// </summary>
public static class RtspParser
{
    public const int MaxHeaderBytes = 8192;
    public const int MaxBodyBytes = 4096;

    /// <summary>
    /// Parses one message from the start of <paramref name="data"/>; <paramref name="consumed"/> says how
    /// many bytes it took.
    /// </summary>
    public static RtspParse TryRead(ReadOnlySequence<byte> data, out RtspRequest? request, out long consumed, out string? problem)
    {
        request = null;
        consumed = 0;
        problem = null;
        if (data.IsEmpty) return RtspParse.NeedMore;
        var reader = new SequenceReader<byte>(data);
        reader.TryPeek(out byte first);
        if (first == (byte)'$')
        {
            if (data.Length < 4) return RtspParse.NeedMore;
            Span<byte> head = stackalloc byte[4];
            data.Slice(0, 4).CopyTo(head);
            int length = head[2] << 8 | head[3];
            if (data.Length < 4 + length) return RtspParse.NeedMore;
            consumed = 4 + length;
            return RtspParse.Interleaved;
        }
        if (!reader.TryReadTo(out ReadOnlySequence<byte> head2, "\r\n\r\n"u8, advancePastDelimiter: true))
        {
            if (data.Length > MaxHeaderBytes) return Fail("the request head is longer than 8192 bytes", out problem);
            return RtspParse.NeedMore;
        }
        if (head2.Length > MaxHeaderBytes) return Fail("the request head is longer than 8192 bytes", out problem);
        string text;
        try { text = new UTF8Encoding(false, true).GetString(head2); }
        catch (DecoderFallbackException) { return Fail("the request head is not UTF-8 text", out problem); }
        var lines = text.Split("\r\n");
        var parts = lines[0].Split(' ');
        if (parts.Length != 3 || !parts[2].StartsWith("RTSP/1.", StringComparison.Ordinal) || parts[0].Length == 0
            || !Chars.All(parts[0], c => char.IsAsciiLetterUpper(c) || c == '_'))
            return Fail($"not an RTSP request line: '{Truncate(lines[0])}'", out problem);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (int i = 1; i < lines.Length; i++)
        {
            int colon = lines[i].IndexOf(':');
            if (colon <= 0) return Fail($"not a header line: '{Truncate(lines[i])}'", out problem);
            headers[lines[i][..colon].Trim()] = lines[i][(colon + 1)..].Trim();
        }
        int bodyLength = 0;
        if (headers.TryGetValue("Content-Length", out var lengthText)
            && (!int.TryParse(lengthText, out bodyLength) || bodyLength is < 0 or > MaxBodyBytes))
            return Fail($"Content-Length '{Truncate(lengthText)}' is not a number from 0 to {MaxBodyBytes}", out problem);
        if (reader.Remaining < bodyLength) return RtspParse.NeedMore;
        var body = data.Slice(reader.Position, bodyLength).ToArray();
        consumed = reader.Consumed + bodyLength;
        request = new RtspRequest(parts[0], parts[1], headers, body);
        return RtspParse.Request;
    }

    private static RtspParse Fail(string why, out string? problem)
    {
        problem = why;
        return RtspParse.Invalid;
    }

    private static string Truncate(string text) => text.Length > 80 ? text[..80] + "…" : text;
}
