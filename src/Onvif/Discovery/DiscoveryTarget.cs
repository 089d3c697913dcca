namespace Edge.Onvif.Discovery;

/// <summary>This device as WS-Discovery describes it in ProbeMatches, ResolveMatches, Hello and Bye.</summary>
/// <param name="EndpointAddress">The stable <c>urn:uuid:</c> that identifies the device whatever its addresses.</param>
/// <param name="XAddrs">Device service URLs, the most likely reachable first.</param>
public sealed record DiscoveryTarget(string EndpointAddress, IReadOnlyList<string> Scopes, IReadOnlyList<string> XAddrs)
{
    /// <summary>The types a Probe may ask for: an ONVIF network video transmitter, and its device service.</summary>
    public static readonly IReadOnlyList<QualifiedName> Types =
    [
        new(OnvifNamespaces.Network, "NetworkVideoTransmitter"),
        new(OnvifNamespaces.Device, "Device"),
    ];

    /// <summary>Whether a Probe for <paramref name="types"/> and <paramref name="scopes"/> finds this device.</summary>
    public bool Matches(IReadOnlyList<QualifiedName> types, IReadOnlyList<string> scopes, string matchBy)
        // An undeclared prefix (some clients send one) is matched by local name alone.
        => types.All(t => Types.Any(own => own.LocalName == t.LocalName && (t.Namespace == null || t.Namespace == own.Namespace)))
           && ScopeMatcher.Matches(scopes, matchBy, Scopes);
}
