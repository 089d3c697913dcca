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
    public static IReadOnlyList<string> For(NetworkSnapshot network, IEnumerable<string> listening, IPAddress? reachedAt = null,
        int reachedOn = 0)
    {
        var listeners = new List<Listener>();
        foreach (var address in listening)
        {
            if (Listener.Parse(address) is { } listener) listeners.Add(listener);
        }
        var candidates = new List<IPAddress>();
        if (reachedAt != null) candidates.Add(reachedAt);
        foreach (var nic in network.Interfaces)
        {
            if (nic.Index == reachedOn && reachedOn != 0) AddAddresses(candidates, nic);
        }
        foreach (var nic in network.Interfaces) AddAddresses(candidates, nic);
        var urls = new List<string>();
        foreach (var address in candidates)
        {
            foreach (var listener in listeners)
            {
                if (listener.Bound != null && !listener.Bound.Equals(address)) continue;
                string url = string.Create(CultureInfo.InvariantCulture,
                    $"{listener.Scheme}://{address}:{listener.Port}{DeviceService.Path}");
                if (!urls.Contains(url)) urls.Add(url);
            }
        }
        return urls;
    }

    private static void AddAddresses(List<IPAddress> candidates, NetworkInterfaceInfo nic)
    {
        foreach (var address in nic.IPv4)
        {
            if (!candidates.Contains(address.Address)) candidates.Add(address.Address);
        }
    }

    /// <param name="Bound">The address listened on, or null for all.</param>
    private sealed record Listener(string Scheme, IPAddress? Bound, int Port)
    {
        // Null for what Kestrel would not report.
        public static Listener? Parse(string address)
        {
            if (!Uri.TryCreate(address, UriKind.Absolute, out var uri) || uri.Port <= 0) return null;
            string host = uri.Host.Trim('[', ']');
            IPAddress? bound = host switch
            {
                "localhost" => IPAddress.Loopback,
                "*" or "+" or "0.0.0.0" or "::" => null,
                _ => IPAddress.TryParse(host, out var ip) ? ip : null,
            };
            return new Listener(uri.Scheme, bound, uri.Port);
        }
    }
}
