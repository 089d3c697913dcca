using System.Text.Json;
using Edge.Onvif;
using Edge.Tests.Support;

namespace Edge.Tests.Binary;

/// <summary>
/// WS-Discovery as on a real LAN: the published binary in one network namespace, the npm <c>onvif</c>
/// client and a multicast listener in another, joined by a veth pair (multicast on 239.255.255.250:3702).
/// </summary>
[TestClass]
[TestCategory(EdgeProcess.NativeOnly)] // qemu-user does not emulate IP_MULTICAST_IF (ENOPROTOOPT)
public sealed class DiscoveryOnLanTests
{
    [ClassInitialize]
    public static Task Publish(TestContext _) => PublishedBinary.Ensure();

    private static readonly string DeviceService = $"http://{VirtualLan.DeviceAddress}:8080/onvif/device_service";

    private static Task<string> WaitFor(ChildProcess listener, string action, string address, Func<JsonElement, bool>? also = null)
        => listener.WaitForLine(line =>
        {
            if (!line.StartsWith('{')) return false;
            var message = JsonDocument.Parse(line).RootElement;
            return message.GetProperty("action").GetString() == "http://schemas.xmlsoap.org/ws/2005/04/discovery/" + action
                && message.GetProperty("address").GetString() == address && (also == null || also(message));
        }, $"{action} from {address}", TimeSpan.FromSeconds(15));

    private static bool Lists(JsonElement message, string xaddr)
        => message.GetProperty("xaddrs").EnumerateArray().Any(x => x.GetString() == xaddr);

    [TestMethod]
    public async Task TheOnvifClientFindsEdgeWhichSaysHelloOnStartAndOnNewAddressesAndByeOnStopWithAStableAddress()
    {
        await using var lan = await VirtualLan.Create();
        string dir = Directory.CreateTempSubdirectory("edge-lan-").FullName;
        string config = Path.Combine(dir, "edge.json");
        await File.WriteAllTextAsync(config,
            EdgeServer.ConfigWithUsers("\"Camera\":{\"Width\":320,\"Height\":240,\"Fps\":5},\"Onvif\":{\"Name\":\"lan camera\"},",
                devicePassword: true));
        string[] args = ["--config", config, "--data-dir", Path.Combine(dir, "data"), "--urls", "http://*:8080"];
        await using var listener = lan.StartClient("node", Repository.NodeScript("Onvif", "discovery.mjs", "onvif"), "listen",
            VirtualLan.ClientAddress);
        await listener.WaitForLine(l => l == "ready", "the multicast listener");

        string endpoint;
        await using (var edge = await EdgeProcess.StartIn(lan.DeviceNamespace, args))
        {
            endpoint = DeviceIdentity.EndpointAddress(File.ReadAllText(Path.Combine(dir, "data", DeviceIdentity.FileName)).Trim());
            await WaitFor(listener, "Hello", endpoint, m => Lists(m, DeviceService));

            var probe = await lan.RunClient("node", Repository.NodeScript("Onvif", "discovery.mjs", "onvif"), "probe", EdgeServer.User,
                EdgeServer.Password);
            Assert.AreEqual(0, probe.ExitCode, probe.Error + probe.Output);
            var found = JsonDocument.Parse(probe.Output).RootElement.EnumerateArray()
                .Single(d => d.GetProperty("address").GetString() == endpoint);
            Assert.AreEqual(DeviceService, found.GetProperty("xaddrs")[0].GetString());
            Assert.AreEqual("Edge", found.GetProperty("manufacturer").GetString());
            Assert.IsTrue(found.GetProperty("scopes").EnumerateArray().Any(s => s.GetString() == "onvif://www.onvif.org/name/lan%20camera"),
                found.ToString());
            Assert.IsTrue(found.GetProperty("scopes").EnumerateArray()
                .Any(s => s.GetString()!.StartsWith("onvif://www.onvif.org/mac/", StringComparison.Ordinal)), found.ToString());

            // An address that appears later is announced without a restart.
            await lan.AddDeviceAddress("10.78.0.1/24");
            await WaitFor(listener, "Hello", endpoint,
                m => Lists(m, DeviceService) && Lists(m, "http://10.78.0.1:8080/onvif/device_service"));

            await edge.Signal("TERM");
            Assert.AreEqual(0, await edge.WaitForExit(TimeSpan.FromSeconds(10)));
            await WaitFor(listener, "Bye", endpoint);
        }

        // The same data directory, the same endpoint address: NVRs keep recognising the camera.
        int hellos = listener.Stdout.Count(l => l.Contains("/Hello\""));
        await using (var again = await EdgeProcess.StartIn(lan.DeviceNamespace, args))
        {
            await Eventually.True(() => listener.Stdout.Count(l => l.Contains("/Hello\"") && l.Contains(endpoint)) > hellos,
                "a Hello with the same endpoint address after a restart", 15000);
        }
        Directory.Delete(dir, recursive: true);
    }
}
