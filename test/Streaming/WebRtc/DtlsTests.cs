using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Edge.Streaming.WebRtc;
using Edge.Tests.Support;

namespace Edge.Tests.Streaming.WebRtc;

/// <summary>Edge's DTLS-SRTP server against OpenSSL's own DTLS client (<c>openssl s_client -dtls1_2</c>) over real UDP.</summary>
[TestClass]
public sealed class DtlsTests
{
    [TestMethod]
    public async Task OpenSslsClientHandshakesInDatagramsOfAtMost1200BytesAndBothSidesExportTheSameSrtpKeys()
    {
        using var scratch = new ScratchFolder("edge-dtls-");
        string fingerprint = await ClientCertificate(scratch);
        using var context = new DtlsContext(TimeProvider.System);
        StringAssert.StartsWith(context.Fingerprint, "sha-256 ");
        Assert.AreEqual(8 + 32 * 3 - 1, context.Fingerprint.Length);
        using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        IPEndPoint? peer = null;
        int largest = 0;
        using var dtls = new DtlsTransport(context, fingerprint, datagram =>
        {
            largest = Math.Max(largest, datagram.Length);
            udp.Send(datagram.Span, peer!);
        });
        await using var client = ChildProcess.Start("stdbuf", ["-oL", "openssl", "s_client", "-dtls1_2",
            "-connect", $"127.0.0.1:{((IPEndPoint)udp.Client.LocalEndPoint!).Port}", "-use_srtp", "SRTP_AES128_CM_SHA1_80",
            "-keymatexport", "EXTRACTOR-dtls_srtp", "-keymatexportlen", "60",
            "-cert", scratch.PathOf("client.pem"), "-key", scratch.PathOf("client.key")]);
        await Handshake(udp, dtls, address => peer = address);
        Assert.AreEqual(DtlsState.Connected, dtls.State, dtls.Problem);
        Assert.IsLessThanOrEqualTo(DtlsTransport.Mtu, largest);
        string line = await client.WaitForLine(l => l.Contains("Keying material:", StringComparison.Ordinal), "s_client's exported keys");
        byte[] material = Convert.FromHexString(line[(line.IndexOf(':') + 1)..].Trim());
        var keys = dtls.Keys!;
        // client key, server key, client salt, server salt; Edge is the server.
        CollectionAssert.AreEqual(material, (byte[])[.. keys.RemoteKey, .. keys.LocalKey, .. keys.RemoteSalt, .. keys.LocalSalt]);
        Assert.IsNotNull(await client.WaitForLine(l => l.Contains("SRTP Extension negotiated, profile=SRTP_AES128_CM_SHA1_80",
            StringComparison.Ordinal), "the profile"));
    }

    [TestMethod]
    public async Task APeerWhoseCertificateIsNotTheOnesFingerprintFailsAndGarbageChangesNothing()
    {
        using var scratch = new ScratchFolder("edge-dtls-");
        await ClientCertificate(scratch);
        using var context = new DtlsContext(TimeProvider.System);
        using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        IPEndPoint? peer = null;
        using var dtls = new DtlsTransport(context, "sha-256 " + string.Join(':', Enumerable.Repeat("00", 32)),
            datagram => udp.Send(datagram.Span, peer!));
        // Bytes that are no DTLS record, and a record header that claims more than there is: dropped, no answer.
        Assert.IsFalse(dtls.Receive(new byte[] { 22, 0xFE, 0xFD, 1, 2, 3 }));
        Assert.IsFalse(dtls.Receive(new byte[] { 22, 0xFE, 0xFD, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 1 }));
        Assert.AreEqual(DtlsState.Handshaking, dtls.State, dtls.Problem);

        await using var client = ChildProcess.Start("openssl", ["s_client", "-dtls1_2",
            "-connect", $"127.0.0.1:{((IPEndPoint)udp.Client.LocalEndPoint!).Port}", "-use_srtp", "SRTP_AES128_CM_SHA1_80",
            "-cert", scratch.PathOf("client.pem"), "-key", scratch.PathOf("client.key")]);
        await Handshake(udp, dtls, address => peer = address);
        Assert.AreEqual(DtlsState.Failed, dtls.State);
        StringAssert.Contains(dtls.Problem, "does not match the fingerprint");
        Assert.IsNull(dtls.Keys);
    }

    // Datagrams from the client into the transport until the handshake ends one way or the other.
    private static async Task Handshake(UdpClient udp, DtlsTransport dtls, Action<IPEndPoint> from)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        while (dtls.State == DtlsState.Handshaking)
        {
            var received = await udp.ReceiveAsync(timeout.Token);
            from(received.RemoteEndPoint);
            dtls.Receive(received.Buffer);
        }
    }

    private static Task<string> ClientCertificate(ScratchFolder scratch) => WhepPeer.Certificate(scratch);
}
