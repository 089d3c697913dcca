using Edge.Onvif.Xml;

namespace Edge.Onvif;

/// <summary>
/// A parsed SOAP 1.2 request: the Body's first element (the operation), the text of the elements
/// inside it by local name (ONVIF requests are flat enough for that: <c>ProfileToken</c>,
/// <c>Protocol</c>, <c>IncludeCapability</c>…), and the WS-Security UsernameToken of the Header.
/// </summary>
public sealed class SoapRequest
{
    /// <summary>Deepest element nesting accepted; ONVIF requests need about 6.</summary>
    public const int MaxDepth = 32;
    private const int MaxParameters = 64;

    private SoapRequest(string operation, string ns, Dictionary<string, string> parameters, UsernameToken? token)
    {
        Operation = operation;
        Namespace = ns;
        Parameters = parameters;
        Token = token;
    }

    /// <summary>The local name of the Body's first element, e.g. <c>GetProfiles</c>.</summary>
    public string Operation { get; }

    /// <summary>The operation's namespace, which tells the service (device, media).</summary>
    public string Namespace { get; }

    /// <summary>The first text found for each element name inside the operation.</summary>
    public IReadOnlyDictionary<string, string> Parameters { get; }

    public UsernameToken? Token { get; }

    public string? Parameter(string name) => Parameters.TryGetValue(name, out var value) ? value.Trim() : null;

    /// <summary>
    /// Parses <paramref name="body"/>; throws <see cref="SoapFault"/> (s:Sender) when it is not a usable
    /// SOAP 1.2 request.
    /// </summary>
    public static SoapRequest Parse(byte[] body)
    {
        try
        {
            // The reader refuses DTDs: no entity expansion (billion laughs) and no external fetches.
            return Read(new XmlPullReader(body, OnvifEndpoints.MaxBodyBytes, MaxDepth));
        }
        catch (XmlFormatException e)
        {
            throw SoapFault.Malformed($"Malformed request: {e.Message}");
        }
    }

    private static SoapRequest Read(XmlPullReader reader)
    {
        // The element names on the way to the current node: path[d] is the element at depth d.
        var path = new string[MaxDepth + 1];
        string? operation = null, ns = null;
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        string? user = null, password = null, passwordType = null, nonce = null, created = null;
        bool security = false;
        while (reader.Read())
        {
            int depth = reader.Depth;
            if (reader.Kind == XmlNodeKind.StartElement)
            {
                path[depth] = reader.LocalName;
                if (depth == 0 && (reader.LocalName != "Envelope" || reader.NamespaceUri != OnvifNamespaces.Soap))
                    throw SoapFault.Malformed($"The root element must be a SOAP 1.2 Envelope ({OnvifNamespaces.Soap}).");
                if (depth == 1 && reader.NamespaceUri != OnvifNamespaces.Soap)
                    throw SoapFault.Malformed($"Envelope child {reader.LocalName} is not in the SOAP 1.2 namespace.");
                if (depth == 2 && path[1] == "Body" && operation == null)
                {
                    operation = reader.LocalName;
                    ns = reader.NamespaceUri;
                }
                if (depth == 2 && path[1] == "Header" && reader.LocalName == "Security" && reader.NamespaceUri == OnvifNamespaces.Wsse)
                    security = true;
                if (depth == 4 && security && InToken(path) && reader.LocalName == "Password") passwordType = reader.GetAttribute("Type");
            }
            // Whitespace between elements is layout, not a value.
            else if (reader.Kind == XmlNodeKind.Text && depth >= 2 && !string.IsNullOrWhiteSpace(reader.Value))
            {
                string parent = path[depth - 1];
                if (depth == 5 && security && InToken(path))
                {
                    switch (parent)
                    {
                        case "Username": user ??= reader.Value; break;
                        case "Password": password ??= reader.Value; break;
                        case "Nonce": nonce ??= reader.Value; break;
                        case "Created": created ??= reader.Value; break;
                    }
                }
                else if (depth >= 4 && path[1] == "Body" && path[2] == operation && parameters.Count < MaxParameters)
                {
                    parameters.TryAdd(parent, reader.Value);
                }
            }
        }
        if (operation == null || ns == null) throw SoapFault.Malformed("The SOAP Body holds no operation.");
        var token = user != null
            ? new UsernameToken(user.Trim(), password ?? "", IsText(passwordType), nonce?.Trim(), created?.Trim())
            : null;
        return new SoapRequest(operation, ns, parameters, token);
    }

    private static bool InToken(string[] path) => path[1] == "Header" && path[2] == "Security" && path[3] == "UsernameToken";

    // The default type is PasswordText (WS-Security UsernameToken Profile 1.0, §3.1).
    private static bool IsText(string? type) => type == null || type.EndsWith("#PasswordText", StringComparison.Ordinal);
}
