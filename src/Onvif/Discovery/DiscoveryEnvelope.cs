using System.Globalization;
using Edge.Onvif.Xml;

namespace Edge.Onvif.Discovery;

/// <summary>The order of a device's discovery messages: receivers drop stale or repeated ones by it.</summary>
/// <param name="InstanceId">Grows with each start of the device (its start time in seconds).</param>
public readonly record struct AppSequence(long InstanceId, long MessageNumber);

/// <summary>Writes the WS-Discovery 2005/04 messages a device sends, as SOAP 1.2 envelopes.</summary>
public static class DiscoveryEnvelope
{
    /// <summary>The <c>To</c> of multicast messages.</summary>
    public const string MulticastTo = "urn:schemas-xmlsoap-org:ws:2005:04:discovery";
    /// <summary>The <c>To</c> of replies: whoever sent the request.</summary>
    public const string Anonymous = OnvifNamespaces.Addressing + "/role/anonymous";
    private const string TypesText = "dn:NetworkVideoTransmitter tds:Device";

    public static byte[] ProbeMatches(DiscoveryTarget target, string? relatesTo, AppSequence sequence)
        => Write("ProbeMatches", Anonymous, relatesTo, sequence, w => Matches(w, "ProbeMatches", "ProbeMatch", target));

    public static byte[] ResolveMatches(DiscoveryTarget target, string? relatesTo, AppSequence sequence)
        => Write("ResolveMatches", Anonymous, relatesTo, sequence, w => Matches(w, "ResolveMatches", "ResolveMatch", target));

    public static byte[] Hello(DiscoveryTarget target, AppSequence sequence)
        => Write("Hello", MulticastTo, null, sequence, w =>
        {
            w.WriteStartElement("d", "Hello", OnvifNamespaces.Discovery);
            Description(w, target);
            w.WriteEndElement();
        });

    public static byte[] Bye(DiscoveryTarget target, AppSequence sequence)
        => Write("Bye", MulticastTo, null, sequence, w =>
        {
            w.WriteStartElement("d", "Bye", OnvifNamespaces.Discovery);
            EndpointReference(w, target.EndpointAddress);
            w.WriteEndElement();
        });

    // a: and d: for the messages; dn: and tds: for the QNames in Types.
    private static readonly (string Prefix, string Uri)[] Namespaces =
        [("a", OnvifNamespaces.Addressing), ("d", OnvifNamespaces.Discovery), ("dn", OnvifNamespaces.Network),
            ("tds", OnvifNamespaces.Device)];

    private static byte[] Write(string action, string to, string? relatesTo, AppSequence sequence, Action<XmlDocumentWriter> body)
        => SoapWriter.Envelope(Namespaces, w =>
        {
            w.WriteElementString("a", "MessageID", OnvifNamespaces.Addressing, "urn:uuid:" + Guid.NewGuid().ToString("D"));
            if (relatesTo != null) w.WriteElementString("a", "RelatesTo", OnvifNamespaces.Addressing, relatesTo);
            w.WriteElementString("a", "To", OnvifNamespaces.Addressing, to);
            w.WriteElementString("a", "Action", OnvifNamespaces.Addressing, OnvifNamespaces.Discovery + "/" + action);
            w.WriteStartElement("d", "AppSequence", OnvifNamespaces.Discovery);
            w.WriteAttributeString("InstanceId", sequence.InstanceId.ToString(CultureInfo.InvariantCulture));
            w.WriteAttributeString("MessageNumber", sequence.MessageNumber.ToString(CultureInfo.InvariantCulture));
            w.WriteEndElement();
        }, body);

    private static void Matches(XmlDocumentWriter w, string list, string item, DiscoveryTarget target)
    {
        w.WriteStartElement("d", list, OnvifNamespaces.Discovery);
        w.WriteStartElement("d", item, OnvifNamespaces.Discovery);
        Description(w, target);
        w.WriteEndElement();
        w.WriteEndElement();
    }

    private static void Description(XmlDocumentWriter w, DiscoveryTarget target)
    {
        EndpointReference(w, target.EndpointAddress);
        w.WriteElementString("d", "Types", OnvifNamespaces.Discovery, TypesText);
        w.WriteElementString("d", "Scopes", OnvifNamespaces.Discovery, string.Join(' ', target.Scopes));
        w.WriteElementString("d", "XAddrs", OnvifNamespaces.Discovery, string.Join(' ', target.XAddrs));
        w.WriteElementString("d", "MetadataVersion", OnvifNamespaces.Discovery, "1");
    }

    private static void EndpointReference(XmlDocumentWriter w, string address)
    {
        w.WriteStartElement("a", "EndpointReference", OnvifNamespaces.Addressing);
        w.WriteElementString("a", "Address", OnvifNamespaces.Addressing, address);
        w.WriteEndElement();
    }
}
