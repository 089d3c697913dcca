using Edge.Onvif.Xml;

namespace Edge.Onvif.Discovery;

/// <summary>What a WS-Discovery datagram asks: the two messages a device answers, or anything else.</summary>
public enum DiscoveryMessageKind { Other, Probe, Resolve }

/// <summary>A type from a Probe's <c>Types</c>; <paramref name="Namespace"/> is null when the sender left its prefix undeclared.</summary>
public readonly record struct QualifiedName(string? Namespace, string LocalName);

/// <summary>
/// A WS-Discovery 2005/04 message as a device reads it: the kind (from the Body), the
/// <c>MessageID</c> to relate the answer to, a Probe's <c>Types</c> and <c>Scopes</c> (with their
/// <c>MatchBy</c> rule) and a Resolve's endpoint address. Parsed with the hardened
/// <see cref="XmlPullReader"/>: no DTDs, size and depth limits.
/// </summary>
public sealed class DiscoveryMessage
{
    /// <summary>Largest datagram read; a Probe is well under 1 KB.</summary>
    public const int MaxBytes = 16384;
    private const int MaxDepth = 16;
    private const int MaxListItems = 32;

    private DiscoveryMessage(DiscoveryMessageKind kind, string? messageId, IReadOnlyList<QualifiedName> types, IReadOnlyList<string> scopes,
        string matchBy, string? endpointAddress)
    {
        Kind = kind;
        MessageId = messageId;
        Types = types;
        Scopes = scopes;
        MatchBy = matchBy;
        EndpointAddress = endpointAddress;
    }

    public DiscoveryMessageKind Kind { get; }

    public string? MessageId { get; }

    public IReadOnlyList<QualifiedName> Types { get; }

    public IReadOnlyList<string> Scopes { get; }

    /// <summary>The scope matching rule; <see cref="ScopeMatcher.Rfc3986"/> when the Probe names none.</summary>
    public string MatchBy { get; }

    /// <summary>The address a Resolve asks about.</summary>
    public string? EndpointAddress { get; }

    /// <summary>Parses a datagram; null (and why) when it is not a well-formed SOAP 1.2 envelope.</summary>
    public static DiscoveryMessage? TryParse(ReadOnlySpan<byte> datagram, out string? problem)
    {
        try
        {
            problem = null;
            return Read(new XmlPullReader(datagram, MaxBytes, MaxDepth));
        }
        catch (XmlFormatException e)
        {
            problem = e.Message;
            return null;
        }
    }

    private static DiscoveryMessage Read(XmlPullReader reader)
    {
        var path = new string[MaxDepth + 1];
        var kind = DiscoveryMessageKind.Other;
        bool inBody = false, sawBodyElement = false;
        string? messageId = null, endpoint = null;
        string matchBy = ScopeMatcher.Rfc3986;
        var types = new List<QualifiedName>();
        var scopes = new List<string>();
        while (reader.Read())
        {
            int depth = reader.Depth;
            if (reader.Kind == XmlNodeKind.StartElement)
            {
                path[depth] = reader.LocalName;
                if (depth == 0 && (reader.LocalName != "Envelope" || reader.NamespaceUri != OnvifNamespaces.Soap))
                    throw new XmlFormatException("The root element is not a SOAP 1.2 Envelope.");
                if (depth == 1) inBody = reader.LocalName == "Body" && reader.NamespaceUri == OnvifNamespaces.Soap;
                if (depth == 2 && inBody && !sawBodyElement)
                {
                    sawBodyElement = true;
                    if (reader.NamespaceUri == OnvifNamespaces.Discovery)
                        kind = reader.LocalName switch
                        {
                            "Probe" => DiscoveryMessageKind.Probe,
                            "Resolve" => DiscoveryMessageKind.Resolve,
                            _ => DiscoveryMessageKind.Other,
                        };
                }
                if (depth == 3 && kind == DiscoveryMessageKind.Probe && reader.LocalName == "Scopes")
                    matchBy = reader.GetAttribute("MatchBy") is { Length: > 0 } rule ? rule.Trim() : ScopeMatcher.Rfc3986;
            }
            else if (reader.Kind == XmlNodeKind.Text && depth >= 2)
            {
                string parent = path[depth - 1];
                if (depth == 3 && path[1] == "Header" && parent == "MessageID") messageId ??= reader.Value.Trim();
                else if (depth == 4 && inBody && kind == DiscoveryMessageKind.Probe && parent == "Types") AddTypes(reader, types);
                else if (depth == 4 && inBody && kind == DiscoveryMessageKind.Probe && parent == "Scopes") AddItems(reader.Value, scopes);
                else if (depth == 5 && inBody && kind == DiscoveryMessageKind.Resolve && path[3] == "EndpointReference"
                    && parent == "Address") endpoint ??= reader.Value.Trim();
            }
        }
        return new DiscoveryMessage(kind, messageId, types, scopes, matchBy, endpoint);
    }

    // Types is a list of QNames: their prefixes are resolved where the text stands.
    private static void AddTypes(XmlPullReader reader, List<QualifiedName> types)
    {
        var names = new List<string>();
        AddItems(reader.Value, names);
        foreach (var name in names)
        {
            int colon = name.IndexOf(':');
            types.Add(colon < 0
                ? new QualifiedName(reader.LookupNamespace(""), name)
                : new QualifiedName(reader.LookupNamespace(name[..colon]), name[(colon + 1)..]));
        }
    }

    private static void AddItems(string text, List<string> items)
    {
        foreach (var item in text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            if (items.Count >= MaxListItems) throw new XmlFormatException($"More than {MaxListItems} items in a list.");
            items.Add(item);
        }
    }
}
