using System.Net;
using System.Text;
using Edge.Onvif;
using Edge.Onvif.Discovery;

namespace Edge.Tests.Onvif;

/// <summary>WS-Discovery's parts without a network: message parsing, scope matching, XAddrs and the endpoint address.</summary>
[TestClass]
public sealed class DiscoveryUnitTests
{
    private static DiscoveryMessage Parse(string xml)
        => DiscoveryMessage.TryParse(Encoding.UTF8.GetBytes(xml), out string? problem)
            ?? throw new AssertFailedException(problem ?? "not parsed");

    [TestMethod]
    public void ProbeTypesAreResolvedByTheirPrefixWhereTheyStandAndUndeclaredPrefixesKeepOnlyTheLocalName()
    {
        var probe = Parse(DiscoveryClient.Probe("urn:uuid:1",
            "<d:Types xmlns:x=\"http://www.onvif.org/ver10/network/wsdl\" xmlns=\"urn:default\">" +
            "x:NetworkVideoTransmitter y:Device Plain</d:Types>",
            "<d:Scopes MatchBy=\" http://schemas.xmlsoap.org/ws/2005/04/discovery/strcmp0 \">a b</d:Scopes>"));
        Assert.AreEqual(DiscoveryMessageKind.Probe, probe.Kind);
        Assert.AreEqual("urn:uuid:1", probe.MessageId);
        CollectionAssert.AreEqual(new[]
        {
            new QualifiedName(OnvifNamespaces.Network, "NetworkVideoTransmitter"),
            new QualifiedName(null, "Device"),
            new QualifiedName("urn:default", "Plain"),
        }, probe.Types.ToArray());
        CollectionAssert.AreEqual(new[] { "a", "b" }, probe.Scopes.ToArray());
        Assert.AreEqual(ScopeMatcher.Strcmp0, probe.MatchBy);
    }

    [TestMethod]
    public void AResolveCarriesItsEndpointAddressAndOtherMessagesAreOther()
    {
        var resolve = Parse(DiscoveryClient.Resolve("urn:uuid:2", " urn:uuid:abc "));
        Assert.AreEqual(DiscoveryMessageKind.Resolve, resolve.Kind);
        Assert.AreEqual("urn:uuid:abc", resolve.EndpointAddress);
        var hello = Parse(DiscoveryClient.Envelope("urn:uuid:3", "Hello", "<d:Hello/>"));
        Assert.AreEqual(DiscoveryMessageKind.Other, hello.Kind);
        // A Probe element outside the WS-Discovery 2005/04 namespace is not a Probe.
        var other = Parse(DiscoveryClient.Envelope("urn:uuid:4", "Probe",
            "<Probe xmlns=\"http://docs.oasis-open.org/ws-dd/ns/discovery/2009/01\"/>"));
        Assert.AreEqual(DiscoveryMessageKind.Other, other.Kind);
    }

    [TestMethod]
    public void MalformedDatagramsAreRefusedWithAReason()
    {
        foreach (var (datagram, reason) in new[]
        {
            ("not xml", "Text outside the root element"),
            ("<!DOCTYPE x [<!ENTITY a \"b\">]><x/>", "DTD"),
            ("<Envelope xmlns=\"http://schemas.xmlsoap.org/soap/envelope/\"/>", "SOAP 1.2"),
            (DiscoveryClient.Probe("urn:uuid:5", "<d:Types>" + string.Join(' ', Enumerable.Repeat("t", 33)) + "</d:Types>"),
                "More than 32"),
            (DiscoveryClient.Probe("urn:uuid:6", "<d:Types>" + new string('t', DiscoveryMessage.MaxBytes) + "</d:Types>"), "larger than"),
        })
        {
            Assert.IsNull(DiscoveryMessage.TryParse(Encoding.UTF8.GetBytes(datagram), out string? problem), datagram);
            StringAssert.Contains(problem, reason, datagram);
        }
    }

    [TestMethod]
    public void Rfc3986MatchingComparesSchemeAndAuthorityIgnoringCaseAndPathsSegmentBySegment()
    {
        Assert.IsTrue(ScopeMatcher.Rfc3986Match("onvif://www.onvif.org/type", "onvif://www.onvif.org/type/video_encoder"));
        Assert.IsTrue(ScopeMatcher.Rfc3986Match("ONVIF://WWW.ONVIF.ORG/name", "onvif://www.onvif.org/name/Front%20door"));
        Assert.IsTrue(ScopeMatcher.Rfc3986Match("onvif://www.onvif.org/name/Front door", "onvif://www.onvif.org/name/Front%20door"));
        Assert.IsTrue(ScopeMatcher.Rfc3986Match("onvif://www.onvif.org", "onvif://www.onvif.org/type/video_encoder"));
        Assert.IsTrue(ScopeMatcher.Rfc3986Match("onvif://www.onvif.org/type?q#f", "onvif://www.onvif.org/type/video_encoder"));
        Assert.IsFalse(ScopeMatcher.Rfc3986Match("onvif://www.onvif.org/ty", "onvif://www.onvif.org/type/video_encoder"),
            "a string prefix is not a segment prefix");
        Assert.IsFalse(ScopeMatcher.Rfc3986Match("onvif://www.onvif.org/Type", "onvif://www.onvif.org/type/video_encoder"),
            "paths compare case-sensitively");
        Assert.IsFalse(ScopeMatcher.Rfc3986Match("onvif://www.onvif.org/type/video_encoder/x", "onvif://www.onvif.org/type/video_encoder"));
        Assert.IsFalse(ScopeMatcher.Rfc3986Match("onvif://other.org/type", "onvif://www.onvif.org/type/video_encoder"));
        Assert.IsFalse(ScopeMatcher.Rfc3986Match("onvif://www.onvif.org/type/../type", "onvif://www.onvif.org/type/video_encoder"));
        Assert.IsFalse(ScopeMatcher.Rfc3986Match("no scheme", "onvif://www.onvif.org/type"));
    }

    [TestMethod]
    public void EveryProbedScopeMustMatchUnderAKnownRule()
    {
        string[] own = ["onvif://www.onvif.org/type/video_encoder", "onvif://www.onvif.org/name/cam"];
        Assert.IsTrue(ScopeMatcher.Matches([], "urn:whatever", own), "no scopes asked: a match");
        Assert.IsTrue(ScopeMatcher.Matches(["onvif://www.onvif.org/type", "onvif://www.onvif.org/name/cam"], ScopeMatcher.Rfc3986, own));
        Assert.IsFalse(ScopeMatcher.Matches(["onvif://www.onvif.org/type", "onvif://www.onvif.org/name/other"], ScopeMatcher.Rfc3986, own));
        Assert.IsTrue(ScopeMatcher.Matches(["onvif://www.onvif.org/name/cam"], ScopeMatcher.Strcmp0, own));
        Assert.IsFalse(ScopeMatcher.Matches(["onvif://www.onvif.org/name"], ScopeMatcher.Strcmp0, own));
        Assert.IsFalse(ScopeMatcher.Matches(["onvif://www.onvif.org/name/cam"], "http://schemas.xmlsoap.org/ws/2005/04/discovery/ldap",
            own));
    }

    private static NetworkSnapshot Network() => NetworkSnapshot.Create(
    [
        new NetworkInterfaceInfo("eth0", 2, "02:00:00:00:00:01", true, [new(IPAddress.Parse("192.168.1.20"), 24)],
            [IPAddress.Parse("192.168.1.1")]),
        new NetworkInterfaceInfo("wlan0", 3, "02:00:00:00:00:02", true,
            [new(IPAddress.Parse("10.0.0.5"), 24), new(IPAddress.Parse("10.0.1.5"), 24)], []),
    ], []);

    [TestMethod]
    public void XAddrsListEveryAddressAListenerServesWithTheOneReachedFirst()
    {
        const string path = "/onvif/device_service";
        CollectionAssert.AreEqual(new[] { $"http://192.168.1.20:8080{path}", $"http://10.0.0.5:8080{path}", $"http://10.0.1.5:8080{path}" },
            XAddrs.For(Network(), ["http://[::]:8080"]).ToArray());
        CollectionAssert.AreEqual(new[] { $"http://10.0.0.5:8080{path}", $"http://10.0.1.5:8080{path}", $"http://192.168.1.20:8080{path}" },
            XAddrs.For(Network(), ["http://0.0.0.0:8080"], reachedOn: 3).ToArray());
        CollectionAssert.AreEqual(new[] { $"http://10.0.1.5:8080{path}", $"http://192.168.1.20:8080{path}", $"http://10.0.0.5:8080{path}" },
            XAddrs.For(Network(), ["http://[::]:8080"], IPAddress.Parse("10.0.1.5"), 2).ToArray());
        // A listener bound to one address serves only that one; HTTPS listeners are advertised too.
        CollectionAssert.AreEqual(new[] { $"http://192.168.1.20:8080{path}", $"https://192.168.1.20:8443{path}",
            $"https://10.0.0.5:8443{path}", $"https://10.0.1.5:8443{path}" },
            XAddrs.For(Network(), ["http://192.168.1.20:8080", "https://0.0.0.0:8443"]).ToArray());
        CollectionAssert.AreEqual(new[] { $"http://127.0.0.1:8080{path}" },
            XAddrs.For(Network(), ["http://127.0.0.1:8080"], IPAddress.Loopback).ToArray());
        Assert.AreEqual(0, XAddrs.For(Network(), ["http://127.0.0.1:8080"]).Count, "loopback only: nothing a LAN client can reach");
    }

    [TestMethod]
    public void TheMacScopeNamesTheInterfaceWithTheDefaultRoute()
    {
        var scopes = new OnvifScopes("cam", "Board", "").For(Network()).Select(s => s.Uri).ToList();
        CollectionAssert.Contains(scopes, "onvif://www.onvif.org/mac/02:00:00:00:00:01");
        CollectionAssert.Contains(scopes, "onvif://www.onvif.org/hardware/Board");
        Assert.IsFalse(scopes.Any(s => s.Contains("/location/")), "no location configured, no location scope");
    }

    [TestMethod]
    public void TheEndpointAddressIsAVersion8UuidMadeOfTheDeviceIdAlone()
    {
        string address = DeviceIdentity.EndpointAddress("0123456789abcdef");
        Assert.AreEqual("urn:uuid:01234567-89ab-8def-a564-67652d646576", address);
        Assert.AreNotEqual(address, DeviceIdentity.EndpointAddress("0123456789abcdee"));
    }
}
