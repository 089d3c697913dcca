using System.Globalization;
using System.Net;

namespace Edge.Onvif.Discovery;

/// <summary>
/// The device service URLs discovery advertises: one per interface address and HTTP listener that
/// serves it (a listener on a wildcard address serves them all). Clients try them in order, so the
/// address the client reached us on, and then its interface, come first.
/// </summary>
public static class XAddrs
{
    /// <param name="listening">Kestrel's addresses after start, such as <c>http://[::]:8080</c>.</param>
    /// <param name="reachedAt">The unicast address a request came to, or null.</param>
    /// <param name="reachedOn">The index of the interface a request came in on, or 0.</param>
    public static IReadOnlyList<string> For(NetworkSnapshot network, IEnumerable<string> listening, IPAddress? reachedAt = null, int reachedOn = 0)
    {
        var listeners = listening.Select(Parse).OfType<(string Scheme, IPAddress? Bound, int Port)>().ToList();
        var candidates = new List<IPAddress>();
        if (reachedAt != null) candidates.Add(reachedAt);
        foreach (var nic in network.Interfaces.OrderBy(i => i.Index == reachedOn && reachedOn != 0 ? 0 : 1))
            candidates.AddRange(nic.IPv4.Select(a => a.Address));
        var urls = new List<string>();
        foreach (var address in candidates.Distinct())
        {
            foreach (var (scheme, bound, port) in listeners)
            {
                if (bound != null && !bound.Equals(address)) continue;
                string url = string.Create(CultureInfo.InvariantCulture, $"{scheme}://{address}:{port}{DeviceService.Path}");
                if (!urls.Contains(url)) urls.Add(url);
            }
        }
        return urls;
    }

    // (scheme, the bound address or null for all, port); null for what Kestrel would not report.
    private static (string, IPAddress?, int)? Parse(string address)
    {
        if (!Uri.TryCreate(address, UriKind.Absolute, out var uri) || uri.Port <= 0) return null;
        string host = uri.Host.Trim('[', ']');
        IPAddress? bound = host switch
        {
            "localhost" => IPAddress.Loopback,
            "*" or "+" or "0.0.0.0" or "::" => null,
            _ => IPAddress.TryParse(host, out var ip) ? ip : null,
        };
        return (uri.Scheme, bound, uri.Port);
    }
}
