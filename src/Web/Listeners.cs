using System.Net;
using Edge.Web.Tls;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace Edge.Web;

/// <summary>
/// Where Kestrel listens: each HTTP address of <c>urls</c> (default <c>http://*:8080</c>) and, with
/// HTTPS on, the same hosts at <c>Https:Port</c>. Set in code, so HTTPS needs no configuration-bound
/// Kestrel (3 MB of binary) and its certificate can come from <see cref="CertificateStore"/> per handshake.
/// </summary>
public static class Listeners
{
    public const string DefaultUrls = "http://*:8080";

    /// <param name="certificates">The store, asked for at each handshake (Kestrel's options are built before the store exists).</param>
    /// <param name="connections">Counts and lists every connection, on the outside of TLS.</param>
    public static void Configure(KestrelServerOptions options, string? urls, HttpsSettings https, Func<CertificateStore> certificates,
        HttpConnectionCounter connections)
    {
        var hosts = new List<string>();
        foreach (var url in (urls ?? DefaultUrls).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var address = BindingAddress.Parse(url);
            Listen(options, address.Host, address.Port, listen => listen.Use(connections.Wrap("http")));
            if (!hosts.Contains(address.Host)) hosts.Add(address.Host);
        }
        if (!https.Enabled) return;
        var tls = new HttpsConnectionAdapterOptions { ServerCertificateSelector = (_, _) => certificates().Select() };
        foreach (var host in hosts) Listen(options, host, https.Port, listen =>
        {
            listen.Use(connections.Wrap("https"));
            listen.UseHttps(tls);
        });
    }

    /// <summary>
    /// The addresses the HTTP <paramref name="urls"/> listen on, for the other servers to follow:
    /// <see cref="IPAddress.IPv6Any"/> alone when any of them listens on every address.
    /// </summary>
    public static IReadOnlyList<IPAddress> Addresses(string? urls)
    {
        var addresses = new List<IPAddress>();
        foreach (var url in (urls ?? DefaultUrls).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string host = BindingAddress.Parse(url).Host;
            IPAddress[] these = host == "localhost" ? [IPAddress.Loopback, IPAddress.IPv6Loopback]
                : IPAddress.TryParse(host, out var address) ? [Every(address) ? IPAddress.IPv6Any : address]
                : [IPAddress.IPv6Any];
            foreach (var one in these) if (!addresses.Contains(one)) addresses.Add(one);
        }
        return addresses.Contains(IPAddress.IPv6Any) ? [IPAddress.IPv6Any] : addresses;
    }

    /// <summary>The address RTSP listens on: <paramref name="configured"/> when set, else the HTTP hosts'.</summary>
    public static IReadOnlyList<IPAddress> Addresses(string configured, string? urls)
        => configured.Length == 0
            ? Addresses(urls)
            : [Every(IPAddress.Parse(configured)) ? IPAddress.IPv6Any : IPAddress.Parse(configured)];

    private static bool Every(IPAddress address) => address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any);

    private static void Listen(KestrelServerOptions options, string host, int port, Action<ListenOptions> configure)
    {
        if (host == "localhost") options.ListenLocalhost(port, configure);
        else if (IPAddress.TryParse(host, out var address)) options.Listen(address, port, configure);
        // "*", "+" and host names: every address, IPv4 and IPv6.
        else options.ListenAnyIP(port, configure);
    }
}
