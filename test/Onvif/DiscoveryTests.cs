using System.Net;
using System.Text;
using Edge.Onvif;
using Edge.Tests.Support;

namespace Edge.Tests.Onvif;

/// <summary>WS-Discovery against a real Edge: unicast Probes and Resolves on 127.0.0.1, as ONVIF clients send them.</summary>
[TestClass]
public sealed class DiscoveryTests
{
    private const string Named = "\"Onvif\":{\"Name\":\"Front door\",\"Location\":\"porch\"},";

    private static async Task<(EdgeServer Server, DiscoveryClient Client)> Start(string extra = Named, TimeProvider? time = null)
    {
        var server = await EdgeServer.Start(EdgeServer.ConfigWithUsers(Soap.TestPatternCamera + extra, devicePassword: true), time);
        return (server, new DiscoveryClient(await DiscoveryClient.Port(server)));
    }

    private static string DeviceEndpoint(EdgeServer server)
        => DeviceIdentity.EndpointAddress(File.ReadAllText(Path.Combine(server.DataDir, DeviceIdentity.FileName)).Trim());

    // The supervisor's status of the discovery service (state key service.discovery), null when it is not run.
    private static async Task<string?> ServiceStatus(EdgeServer server)
    {
        var result = (await server.Call("state.get", new { keys = new[] { "service.discovery" } })).GetProperty("result");
        return result.TryGetProperty("service.discovery", out var entry)
            ? (entry.ValueKind == System.Text.Json.JsonValueKind.Object ? entry.GetProperty("value") : entry).GetString()
            : null;
    }

    [TestMethod]
    public async Task AProbeForAVideoTransmitterIsAnsweredWithTheEndpointScopesAndAWorkingDeviceServiceAddress()
    {
        var (server, client) = await Start();
        await using var _ = server;
        using var __ = client;
        string id = DiscoveryClient.NewMessageId();
        await client.Send(DiscoveryClient.Probe(id));
        var reply = await client.Receive() ?? throw new AssertFailedException("no ProbeMatches");

        Assert.AreEqual("http://schemas.xmlsoap.org/ws/2005/04/discovery/ProbeMatches", DiscoveryClient.Action(reply));
        Assert.AreEqual(id, DiscoveryClient.RelatesTo(reply));
        Assert.AreEqual(DeviceEndpoint(server), DiscoveryClient.EndpointAddress(reply));
        StringAssert.StartsWith(DiscoveryClient.EndpointAddress(reply), "urn:uuid:");
        var types = DiscoveryClient.Text(reply, "Types").Split(' ');
        CollectionAssert.Contains(types, "dn:NetworkVideoTransmitter");
        var scopes = DiscoveryClient.Text(reply, "Scopes").Split(' ');
        foreach (var scope in new[] { "type/video_encoder", "Profile/Streaming", "name/Front%20door", "location/porch" })
            CollectionAssert.Contains(scopes, "onvif://www.onvif.org/" + scope);
        Assert.IsTrue(scopes.Any(s => s.StartsWith("onvif://www.onvif.org/hardware/", StringComparison.Ordinal)), string.Join(' ', scopes));
        Assert.AreEqual("1", DiscoveryClient.Text(reply, "MetadataVersion"));
        var sequence = reply.Descendants(DiscoveryClient.Discovery + "AppSequence").Single();
        Assert.IsNotNull(sequence.Attribute("InstanceId"));

        // The address the probe reached comes first, and it serves the device service.
        string first = DiscoveryClient.Text(reply, "XAddrs").Split(' ')[0];
        Assert.AreEqual($"http://127.0.0.1:{server.BaseUri.Port}/onvif/device_service", first);
        var time = await Soap.Post(server, Soap.Envelope(Soap.Operation("GetSystemDateAndTime", Soap.Device)), new Uri(first).AbsolutePath);
        Assert.AreEqual(HttpStatusCode.OK, time.Status);
    }

    [TestMethod]
    public async Task ProbesForOtherTypesOrScopesGetNoAnswerWhileMatchingScopeRulesDo()
    {
        var (server, client) = await Start();
        await using var _ = server;
        using var __ = client;
        string[] unanswered =
        [
            DiscoveryClient.Probe(DiscoveryClient.NewMessageId(),
                "<d:Types xmlns:ptz=\"http://www.onvif.org/ver20/ptz/wsdl\">ptz:PTZ</d:Types>"),
            DiscoveryClient.Probe(DiscoveryClient.NewMessageId(), "<d:Types xmlns:dn=\"urn:other\">dn:NetworkVideoTransmitter</d:Types>"),
            DiscoveryClient.Probe(DiscoveryClient.NewMessageId(), "", "<d:Scopes>onvif://www.onvif.org/name/Back%20door</d:Scopes>"),
            DiscoveryClient.Probe(DiscoveryClient.NewMessageId(), "",
                "<d:Scopes MatchBy=\"http://schemas.xmlsoap.org/ws/2005/04/discovery/strcmp0\">onvif://www.onvif.org/type</d:Scopes>"),
            DiscoveryClient.Probe(DiscoveryClient.NewMessageId(), "",
                "<d:Scopes MatchBy=\"urn:unknown-rule\">onvif://www.onvif.org/type/video_encoder</d:Scopes>"),
        ];
        string[] answered =
        [
            // An RFC 3986 prefix, case-insensitive in scheme and host, with escapes undone.
            DiscoveryClient.Probe(DiscoveryClient.NewMessageId(), "",
                "<d:Scopes>ONVIF://WWW.onvif.org/type onvif://www.onvif.org/name/Front%20door</d:Scopes>"),
            DiscoveryClient.Probe(DiscoveryClient.NewMessageId(), "",
                "<d:Scopes MatchBy=\"http://schemas.xmlsoap.org/ws/2005/04/discovery/strcmp0\">" +
                "onvif://www.onvif.org/location/porch</d:Scopes>"),
            // tds:Device, and an undeclared prefix as some clients send it.
            DiscoveryClient.Probe(DiscoveryClient.NewMessageId(),
                "<d:Types xmlns:tds=\"http://www.onvif.org/ver10/device/wsdl\">tds:Device</d:Types>"),
            DiscoveryClient.Probe(DiscoveryClient.NewMessageId(), "<d:Types>dn:NetworkVideoTransmitter</d:Types>"),
            DiscoveryClient.Probe(DiscoveryClient.NewMessageId(), ""),
        ];
        // Each unanswered probe is followed by an answered one: the next reply must relate to the latter.
        for (int i = 0; i < answered.Length; i++)
        {
            if (i < unanswered.Length) await client.Send(unanswered[i]);
            await client.Send(answered[i]);
            var reply = await client.Receive() ?? throw new AssertFailedException($"no answer to probe {i}");
            StringAssert.Contains(answered[i], DiscoveryClient.RelatesTo(reply)!, $"probe {i}");
        }
        Assert.IsNull(await client.Receive(300), "nothing else is answered");
    }

    [TestMethod]
    public async Task AResolveOfTheEndpointIsAnsweredAndOneOfAnotherEndpointIsNot()
    {
        var (server, client) = await Start();
        await using var _ = server;
        using var __ = client;
        await client.Send(DiscoveryClient.Resolve(DiscoveryClient.NewMessageId(), "urn:uuid:00000000-0000-0000-0000-000000000000"));
        string id = DiscoveryClient.NewMessageId();
        await client.Send(DiscoveryClient.Resolve(id, DeviceEndpoint(server)));
        var reply = await client.Receive() ?? throw new AssertFailedException("no ResolveMatches");
        Assert.AreEqual("http://schemas.xmlsoap.org/ws/2005/04/discovery/ResolveMatches", DiscoveryClient.Action(reply));
        Assert.AreEqual(id, DiscoveryClient.RelatesTo(reply));
        Assert.AreEqual(DeviceEndpoint(server), DiscoveryClient.EndpointAddress(reply));
        StringAssert.StartsWith(DiscoveryClient.Text(reply, "XAddrs"), $"http://127.0.0.1:{server.BaseUri.Port}/onvif/device_service");
    }

    [TestMethod]
    public async Task MalformedAndHostileDatagramsAreIgnoredAndTheNextProbeIsAnswered()
    {
        var (server, client) = await Start();
        await using var _ = server;
        using var __ = client;
        string laughs = """<?xml version="1.0"?>""" +
            """<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>""" +
            """<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>&lol2;</s:Body></s:Envelope>""";
        byte[][] hostile =
        [
            [0xFF, 0x00, 0x13, 0x37],
            Encoding.UTF8.GetBytes(laughs),
            Encoding.UTF8.GetBytes(DiscoveryClient.Probe(DiscoveryClient.NewMessageId())[..200]),
            // SOAP 1.1 is not what WS-Discovery for ONVIF speaks.
            Encoding.UTF8.GetBytes(DiscoveryClient.Probe(DiscoveryClient.NewMessageId())
                .Replace("http://www.w3.org/2003/05/soap-envelope", "http://schemas.xmlsoap.org/soap/envelope/")),
            Encoding.UTF8.GetBytes(DiscoveryClient.Probe(DiscoveryClient.NewMessageId(),
                "<d:Types>" + new string('a', 60_000) + "</d:Types>")),
            Encoding.UTF8.GetBytes(DiscoveryClient.Probe(DiscoveryClient.NewMessageId(),
                string.Concat(Enumerable.Repeat("<x>", 40)) + string.Concat(Enumerable.Repeat("</x>", 40)))),
            Encoding.UTF8.GetBytes(DiscoveryClient.Probe(DiscoveryClient.NewMessageId(),
                "<d:Types>" + string.Join(' ', Enumerable.Repeat("dn:NetworkVideoTransmitter", 100)) + "</d:Types>")),
        ];
        foreach (var datagram in hostile) await client.Send(datagram);
        string id = DiscoveryClient.NewMessageId();
        await client.Send(DiscoveryClient.Probe(id));
        var reply = await client.Receive() ?? throw new AssertFailedException("no answer after hostile datagrams");
        Assert.AreEqual(id, DiscoveryClient.RelatesTo(reply));
        Assert.IsTrue(server.Log.Lines.Any(l => l.Contains("WS-Discovery ignored a malformed datagram") && l.Contains("DTD")),
            string.Join("\n", server.Log.Lines));
        Assert.AreEqual("running", await ServiceStatus(server));
    }

    [TestMethod]
    public async Task ARepeatedProbeIsAnsweredOnce()
    {
        var (server, client) = await Start();
        await using var _ = server;
        using var __ = client;
        string first = DiscoveryClient.NewMessageId(), second = DiscoveryClient.NewMessageId();
        await client.Send(DiscoveryClient.Probe(first));
        await client.Send(DiscoveryClient.Probe(first));
        await client.Send(DiscoveryClient.Probe(second));
        Assert.AreEqual(first, DiscoveryClient.RelatesTo((await client.Receive())!));
        Assert.AreEqual(second, DiscoveryClient.RelatesTo((await client.Receive())!));
        Assert.IsNull(await client.Receive(300));
    }

    [TestMethod]
    public async Task AFloodIsCutToTheRateLimitAndAnsweredAgainASecondLater()
    {
        var clock = new ManualClock();
        var (server, client) = await Start(time: clock);
        await using var _ = server;
        using var __ = client;
        int sent = Edge.Onvif.Discovery.DiscoveryService.MaxDatagramsPerSecond + 30;
        for (int i = 0; i < sent; i++) await client.Send(DiscoveryClient.Probe(DiscoveryClient.NewMessageId()));
        int replies = 0;
        while (await client.Receive(500) != null) replies++;
        Assert.AreEqual(Edge.Onvif.Discovery.DiscoveryService.MaxDatagramsPerSecond, replies);
        Assert.IsTrue(server.Log.Lines.Any(l => l.Contains("datagrams a second")), string.Join("\n", server.Log.Lines));

        clock.Advance(TimeSpan.FromSeconds(1));
        string id = DiscoveryClient.NewMessageId();
        await client.Send(DiscoveryClient.Probe(id));
        Assert.AreEqual(id, DiscoveryClient.RelatesTo((await client.Receive())!));
    }

    [TestMethod]
    public async Task GetScopesReportsWhatDiscoveryAnnounces()
    {
        var (server, client) = await Start();
        await using var _ = server;
        using var __ = client;
        // The mac scope comes with the first read of the host's network, a moment after start.
        await Eventually.True(() => server.Log.Lines.Any(l => l.Contains("Network: ")), "the network is read");
        await client.Send(DiscoveryClient.Probe(DiscoveryClient.NewMessageId()));
        var announced = DiscoveryClient.Text((await client.Receive())!, "Scopes").Split(' ').Order().ToList();
        var response = await Soap.Post(server,
            Soap.Envelope(Soap.Operation("GetScopes", Soap.Device), Soap.TextToken(EdgeServer.User, EdgeServer.Password)),
            "/onvif/device_service");
        var items = System.Xml.Linq.XDocument.Parse(response.Body)
            .Descendants(System.Xml.Linq.XName.Get("ScopeItem", "http://www.onvif.org/ver10/schema")).Select(e => e.Value).Order().ToList();
        CollectionAssert.AreEqual(announced, items);
        StringAssert.Contains(response.Body,
            "<tt:ScopeDef>Configurable</tt:ScopeDef><tt:ScopeItem>onvif://www.onvif.org/name/Front%20door</tt:ScopeItem>");
    }

    [TestMethod]
    public async Task WithDiscoveryOffNothingListensAndTheDeviceSaysNonDiscoverable()
    {
        await using var server = await EdgeServer.Start(EdgeServer.ConfigWithUsers(Soap.TestPatternCamera +
            "\"Onvif\":{\"Discovery\":false},", devicePassword: true));
        var mode = await Soap.Post(server,
            Soap.Envelope(Soap.Operation("GetDiscoveryMode", Soap.Device), Soap.TextToken(EdgeServer.User, EdgeServer.Password)),
            "/onvif/device_service");
        StringAssert.Contains(mode.Body, "<tds:DiscoveryMode>NonDiscoverable</tds:DiscoveryMode>");
        Assert.IsNull(await ServiceStatus(server));
        Assert.IsFalse(server.Log.Lines.Any(l => l.Contains("WS-Discovery on")));
    }

    [TestMethod]
    public async Task WithOnvifOffTheServicesAreNotServed()
    {
        await using var server = await EdgeServer.Start(EdgeServer.ConfigWithUsers(Soap.TestPatternCamera +
            "\"Onvif\":{\"Enabled\":false},", devicePassword: true));
        var response = await Soap.Post(server, Soap.Envelope(Soap.Operation("GetSystemDateAndTime", Soap.Device)), "/onvif/device_service");
        Assert.AreNotEqual(HttpStatusCode.OK, response.Status);
        Assert.IsFalse(server.Log.Lines.Any(l => l.Contains("WS-Discovery on")));
    }
}
