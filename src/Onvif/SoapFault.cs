namespace Edge.Onvif;

/// <summary>
/// A SOAP 1.2 fault to answer instead of a response: <paramref name="code"/> is <c>s:Sender</c> or
/// <c>s:Receiver</c>, <paramref name="subcodes"/> ONVIF's nested <c>ter:…</c> subcodes, outermost first.
/// Faults go out with HTTP 400 unless <see cref="Status"/> says otherwise (ONVIF clients read the
/// body, whatever the status).
/// </summary>
public sealed class SoapFault(string code, string reason, params string[] subcodes) : Exception(reason)
{
    public int Status { get; init; } = 400;

    public string Code { get; } = code;

    public IReadOnlyList<string> Subcodes { get; } = subcodes;

    /// <summary>Writes the fault's Detail content, when it has one.</summary>
    public Action<Xml.XmlDocumentWriter>? Detail { get; init; }

    public static SoapFault Malformed(string reason) => new("s:Sender", reason);

    public static SoapFault NotAuthorized() => new("s:Sender", "Sender not authorized", "ter:NotAuthorized");

    public static SoapFault ActionNotSupported(string operation)
        => new("s:Receiver", $"Optional action not implemented: {operation}", "ter:ActionNotSupported");

    public static SoapFault InvalidArgument(string subcode, string reason) => new("s:Sender", reason, "ter:InvalidArgVal", subcode);
}
