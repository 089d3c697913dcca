using System.Net;
using Edge.Runtime;

namespace Edge.Tests.Runtime;

/// <summary>One address, one count: an IPv4 client seen through a dual-mode socket is the same client.</summary>
[TestClass]
public sealed class PeerAddressTests
{
    [TestMethod]
    public void AnIpv4MappedAddressIsItsIpv4AddressAndOthersStayAsTheyAre()
    {
        Assert.AreEqual(IPAddress.Parse("192.0.2.7"), PeerAddress.Normalize(IPAddress.Parse("::ffff:192.0.2.7")));
        Assert.AreEqual(IPAddress.Parse("192.0.2.7"), PeerAddress.Normalize(new IPEndPoint(IPAddress.Parse("::ffff:192.0.2.7"), 554)));
        Assert.AreEqual(IPAddress.Parse("2001:db8::7"), PeerAddress.Normalize(IPAddress.Parse("2001:db8::7")));
        Assert.AreEqual(IPAddress.Loopback, PeerAddress.Normalize(IPAddress.Loopback));
        Assert.IsNull(PeerAddress.Normalize((EndPoint?)null));
    }
}
