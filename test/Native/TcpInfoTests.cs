using System.Net;
using System.Net.Sockets;
using Edge.Native;
using Edge.Tests.Support;

namespace Edge.Tests.Native;

[TestClass]
public sealed class TcpInfoTests
{
    [TestMethod]
    public void TheOffsetsAndConstantsMatchTheKernelHeaderCompiledByGcc()
    {
        CLayout.AssertMatchesHeaders(["netinet/in.h", "linux/tcp.h"], [],
        [
            (nameof(TcpInfo.IPPROTO_TCP), TcpInfo.IPPROTO_TCP),
            (nameof(TcpInfo.TCP_INFO), TcpInfo.TCP_INFO),
            ("offsetof(struct tcp_info, tcpi_bytes_acked)", TcpInfo.BytesAckedOffset),
            ("sizeof(((struct tcp_info *)0)->tcpi_bytes_acked)", 8),
            ("offsetof(struct tcp_info, tcpi_bytes_received)", TcpInfo.BytesReceivedOffset),
            ("sizeof(((struct tcp_info *)0)->tcpi_bytes_received)", 8),
        ]);
    }

    [TestMethod]
    public async Task TheKernelCountsWhatAnAcceptedSocketSentAndReceived()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var client = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync((IPEndPoint)listener.LocalEndpoint);
        using var server = await listener.AcceptSocketAsync();
        await client.SendAsync(new byte[10_000]);
        var buffer = new byte[20_000];
        int received = 0;
        while (received < 10_000) received += await server.ReceiveAsync(buffer.AsMemory(received));
        await server.SendAsync(new byte[300]);
        while (received < 10_300) received += await client.ReceiveAsync(buffer.AsMemory(received - 10_000));

        long serverOut = 0, clientOut = 0;
        await Eventually.True(() => TcpInfo.TryRead(server, out serverOut, out _) && serverOut >= 300,
            "the client acknowledged all 300 bytes");
        Assert.AreEqual(300, serverOut, "data bytes only: an accepted socket counts from after the handshake");
        Assert.IsTrue(TcpInfo.TryRead(server, out _, out long serverIn));
        Assert.AreEqual(10_000, serverIn);
        // The connecting side's count holds its SYN too: what TryRead's 'accepted' means.
        await Eventually.True(() => TcpInfo.TryRead(client, out clientOut, out _) && clientOut >= 10_000,
            "the server acknowledged all 10,000 bytes");
        Assert.AreEqual(10_001, clientOut);
        server.Dispose();
        Assert.IsFalse(TcpInfo.TryRead(server, out _, out _), "a disposed socket has no counts");
    }
}
