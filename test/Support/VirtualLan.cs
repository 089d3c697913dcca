namespace Edge.Tests.Support;

/// <summary>
/// A LAN segment made of two network namespaces joined by a veth pair: the device at
/// <see cref="DeviceAddress"/>, a client at <see cref="ClientAddress"/>, each the other's default route.
/// Multicast works between them as on a real LAN. Needs root (CI runs as root).
/// </summary>
public sealed class VirtualLan : IAsyncDisposable
{
    public const string DeviceAddress = "10.77.0.1";
    public const string ClientAddress = "10.77.0.2";

    private VirtualLan(string id)
    {
        DeviceNamespace = $"edge-dev-{id}";
        ClientNamespace = $"edge-cli-{id}";
        DeviceLink = $"ved{id}";
        ClientLink = $"vec{id}";
    }

    public string DeviceNamespace { get; }

    public string ClientNamespace { get; }

    /// <summary>The device's interface name inside its namespace.</summary>
    public string DeviceLink { get; }

    public string ClientLink { get; }

    public static async Task<VirtualLan> Create()
    {
        if (Environment.UserName != "root") Assert.Fail("Network namespaces need root (CI runs the tests as root).");
        var lan = new VirtualLan(Guid.NewGuid().ToString("N")[..8]);
        try
        {
            await Ip("netns", "add", lan.DeviceNamespace);
            await Ip("netns", "add", lan.ClientNamespace);
            await Ip("link", "add", lan.DeviceLink, "netns", lan.DeviceNamespace, "type", "veth", "peer", "name", lan.ClientLink, "netns",
                lan.ClientNamespace);
            foreach (var (ns, link, address, peer) in new[] { (lan.DeviceNamespace, lan.DeviceLink, DeviceAddress, ClientAddress),
                (lan.ClientNamespace, lan.ClientLink, ClientAddress, DeviceAddress) })
            {
                await Ip("-n", ns, "addr", "add", address + "/24", "dev", link);
                await Ip("-n", ns, "link", "set", "lo", "up");
                await Ip("-n", ns, "link", "set", link, "up");
                await Ip("-n", ns, "route", "add", "default", "via", peer);
            }
            return lan;
        }
        catch
        {
            await lan.DisposeAsync();
            throw;
        }
    }

    /// <summary>Gives the device one more address, as a second DHCP lease or a static alias would.</summary>
    public Task AddDeviceAddress(string cidr) => Ip("-n", DeviceNamespace, "addr", "add", cidr, "dev", DeviceLink);

    /// <summary>Runs <paramref name="file"/> in the client's namespace.</summary>
    public ChildProcess StartClient(string file, params string[] arguments)
        => ChildProcess.Start("ip", ["netns", "exec", ClientNamespace, file, .. arguments]);

    public Task<(int ExitCode, string Output, string Error)> RunClient(string file, params string[] arguments)
        => Tools.Run("ip", ["netns", "exec", ClientNamespace, file, .. arguments], TimeSpan.FromSeconds(60));

    private static async Task Ip(params string[] arguments)
    {
        var run = await Tools.Run("ip", arguments);
        if (run.ExitCode != 0) throw new InvalidOperationException($"ip {string.Join(' ', arguments)}: {run.Error}");
    }

    public async ValueTask DisposeAsync()
    {
        // Deleting a namespace deletes the veth end inside it, and with it the pair.
        await Tools.Run("ip", ["netns", "del", DeviceNamespace]);
        await Tools.Run("ip", ["netns", "del", ClientNamespace]);
    }
}
