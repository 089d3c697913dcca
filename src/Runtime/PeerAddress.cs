using System.Net;

namespace Edge.Runtime;

/// <summary>
/// One spelling per peer: an IPv4 client on a dual-stack socket arrives as <c>::ffff:a.b.c.d</c>, and
/// lock-outs, per-address shares and logs must count it as <c>a.b.c.d</c>.
/// </summary>
public static class PeerAddress
{
    public static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    public static IPAddress? Normalize(EndPoint? endPoint) => (endPoint as IPEndPoint)?.Address is { } a ? Normalize(a) : null;
}
