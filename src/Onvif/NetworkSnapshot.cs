using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Text;

namespace Edge.Onvif;

/// <summary>An IPv4 address of an interface and its prefix length.</summary>
// A class, not a struct: LINQ and collections over a struct are compiled anew for it (100+ KB of native code).
public sealed record InterfaceAddress(IPAddress Address, int PrefixLength);

/// <summary>A network interface that is up and not loopback: what clients on the network can reach.</summary>
/// <param name="Mac">Lower-case, colon-separated; empty when the interface has none.</param>
public sealed record NetworkInterfaceInfo(string Name, int Index, string Mac, bool SupportsMulticast, IReadOnlyList<InterfaceAddress> IPv4,
    IReadOnlyList<IPAddress> Gateways);

/// <summary>
/// The host's interfaces, DNS servers and gateways at one moment (IPv4). Reading it touches
/// <c>/proc</c>, <c>/sys</c> and <c>/etc/resolv.conf</c>: do that on the worker pool, then share it.
/// </summary>
public sealed class NetworkSnapshot
{
    private NetworkSnapshot(IReadOnlyList<NetworkInterfaceInfo> interfaces, IReadOnlyList<IPAddress> dns)
    {
        Interfaces = interfaces;
        Dns = dns;
        var text = new StringBuilder();
        foreach (var nic in interfaces)
        {
            text.Append(nic.Name).Append('#').Append(nic.Index.ToString(CultureInfo.InvariantCulture)).Append(' ').Append(nic.Mac);
            foreach (var a in nic.IPv4)
                text.Append(' ').Append(a.Address).Append('/').Append(a.PrefixLength.ToString(CultureInfo.InvariantCulture));
            foreach (var g in nic.Gateways) text.Append(" via ").Append(g);
            text.Append("; ");
        }
        text.Append("dns");
        foreach (var server in dns) text.Append(' ').Append(server);
        Summary = text.ToString();
    }

    public static NetworkSnapshot Empty { get; } = new([], []);

    public static NetworkSnapshot Create(IReadOnlyList<NetworkInterfaceInfo> interfaces, IReadOnlyList<IPAddress> dns)
        => new(interfaces, dns);

    public IReadOnlyList<NetworkInterfaceInfo> Interfaces { get; }

    public IReadOnlyList<IPAddress> Dns { get; }

    /// <summary>Every interface, address, gateway and DNS server in one line: equal summaries, equal snapshots.</summary>
    public string Summary { get; }

    /// <summary>The interface that holds the default route, else the first with an address: whose MAC names the device.</summary>
    public NetworkInterfaceInfo? Primary
        => Interfaces.FirstOrDefault(i => i.Gateways.Count > 0 && i.IPv4.Count > 0) ?? Interfaces.FirstOrDefault(i => i.IPv4.Count > 0)
            ?? Interfaces.FirstOrDefault();

    /// <summary>Reads the host's network now (blocking).</summary>
    public static NetworkSnapshot Read()
    {
        var interfaces = new List<NetworkInterfaceInfo>();
        var dns = new List<IPAddress>();
        foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
        {
            if (nic.NetworkInterfaceType == NetworkInterfaceType.Loopback || nic.OperationalStatus == OperationalStatus.Down) continue;
            var properties = nic.GetIPProperties();
            var addresses = new List<InterfaceAddress>();
            foreach (var unicast in properties.UnicastAddresses)
            {
                if (unicast.Address.AddressFamily == AddressFamily.InterNetwork)
                    addresses.Add(new InterfaceAddress(unicast.Address, unicast.PrefixLength));
            }
            var gateways = properties.GatewayAddresses.Select(g => g.Address).Where(a => a.AddressFamily == AddressFamily.InterNetwork)
                .Distinct().ToArray();
            foreach (var server in properties.DnsAddresses)
            {
                if (server.AddressFamily == AddressFamily.InterNetwork && !dns.Contains(server)) dns.Add(server);
            }
            interfaces.Add(new NetworkInterfaceInfo(nic.Name, Index(properties), Mac(nic.GetPhysicalAddress().GetAddressBytes()),
                nic.SupportsMulticast, addresses, gateways));
        }
        return Create(interfaces, dns);
    }

    // aa:bb:cc:dd:ee:ff
    private static string Mac(byte[] bytes)
    {
        var mac = new StringBuilder(bytes.Length * 3);
        foreach (byte b in bytes)
        {
            if (mac.Length > 0) mac.Append(':');
            mac.Append(b.ToString("x2", CultureInfo.InvariantCulture));
        }
        return mac.ToString();
    }

    // The kernel's interface index, which multicast membership is set by.
    private static int Index(IPInterfaceProperties properties)
    {
        try
        {
            return properties.GetIPv4Properties()?.Index ?? 0;
        }
        catch (NetworkInformationException)
        {
            return 0;
        }
    }
}
