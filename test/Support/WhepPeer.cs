using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Edge.Streaming.WebRtc;

namespace Edge.Tests.Support;

/// <summary>
/// A WebRTC viewer made of real parts, for tests that need to see or steer the packets: a WHEP offer,
/// ICE checks from its own UDP socket, DTLS by OpenSSL's client (<c>openssl s_client -dtls1_2</c>, relayed
/// through that socket so Edge sees one address), then Edge's SRTP decrypted with the exported keys and
/// SRTCP (receiver reports, NACK, PLI) sent back.
/// </summary>
public sealed class WhepPeer : IAsyncDisposable
{
    private const string PeerUfrag = "peer", PeerPwd = "0123456789012345678901";

    private readonly UdpClient _edgeSide = new(new IPEndPoint(IPAddress.Loopback, 0));
    private readonly UdpClient _clientSide = new(new IPEndPoint(IPAddress.Loopback, 0));
    private readonly IPEndPoint _edge;
    private readonly string _ufrag, _pwd;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentQueue<ReceivedPacket> _packets = new();
    private readonly ConcurrentDictionary<ushort, byte[]> _raw = new();
    private readonly uint _ssrc = (uint)Random.Shared.Next(1, int.MaxValue);
    private readonly List<Task> _relays = [];
    private readonly List<byte[]> _early = []; // SRTP that came before s_client printed the keys
    private ChildProcess? _client;
    private IPEndPoint? _clientAddress;
    private SrtpContext? _decrypt, _encrypt;
    private int _lastDecrypted = -1, _checksAnswered;
    private long _highest = -1;

    private WhepPeer(string location, IPEndPoint edge, string ufrag, string pwd)
        => (Location, _edge, _ufrag, _pwd) = (location, edge, ufrag, pwd);

    /// <summary>The session's WHEP resource (<c>/whep/ID</c>).</summary>
    public string Location { get; }

    public string Id => Location[(Location.LastIndexOf('/') + 1)..];

    /// <summary>The go2rtc signalling socket the session was offered on, or null for WHEP.</summary>
    public System.Net.WebSockets.ClientWebSocket? Signalling { get; private init; }

    /// <summary>Edge's media SSRC, from the answer.</summary>
    public uint MediaSsrc { get; private set; }

    /// <summary>Every RTP packet received so far, in arrival order (retransmissions included).</summary>
    public IReadOnlyCollection<ReceivedPacket> Packets => _packets;

    /// <summary>ICE checks Edge answered with a Binding success.</summary>
    public int ChecksAnswered => Volatile.Read(ref _checksAnswered);

    /// <summary>
    /// Offers to <paramref name="server"/>'s WHEP endpoint, or over go2rtc's WebSocket signalling, and makes the ICE
    /// check (DTLS: <see cref="Handshake"/>).
    /// </summary>
    public static async Task<WhepPeer> Offer(EdgeServer server, bool go2rtc = false)
    {
        int port = 0;
        await Eventually.True(async () => (await server.State("webrtc.port"))?.GetInt32() is int p && (port = p) > 0, "the WebRTC port");
        using var scratch = new ScratchFolder("edge-whep-");
        string fingerprint = await Certificate(scratch);
        string offer = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n"
            + "m=video 9 UDP/TLS/RTP/SAVPF 106\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\n"
            + $"a=ice-ufrag:{PeerUfrag}\r\na=ice-pwd:{PeerPwd}\r\na=fingerprint:{fingerprint}\r\n"
            + "a=setup:actpass\r\na=recvonly\r\na=rtcp-mux\r\na=rtpmap:106 H264/90000\r\na=rtcp-fb:106 nack\r\na=rtcp-fb:106 nack pli\r\n"
            + "a=fmtp:106 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f\r\n";
        string answer, location = "";
        System.Net.WebSockets.ClientWebSocket? socket = null;
        if (go2rtc)
        {
            socket = await Go2RtcSocket(server);
            answer = await Go2RtcExchange(socket, ["webrtc/offer"], offer, "webrtc/answer");
        }
        else
        {
            using var answered = await server.Http.PostAsync("/whep", new StringContent(offer, Encoding.UTF8, "application/sdp"));
            answer = await answered.Content.ReadAsStringAsync();
            Assert.AreEqual(HttpStatusCode.Created, answered.StatusCode, answer);
            location = answered.Headers.Location!.ToString();
        }
        var peer = new WhepPeer(location, new IPEndPoint(IPAddress.Loopback, port), Line(answer, "a=ice-ufrag:"),
            Line(answer, "a=ice-pwd:"))
        {
            MediaSsrc = uint.Parse(Line(answer, "a=ssrc:").Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture),
            Signalling = socket,
        };
        // The certificate's files live until s_client has read them: the scratch folder goes with this method.
        System.IO.File.Copy(scratch.PathOf("client.pem"), peer.File("client.pem"));
        System.IO.File.Copy(scratch.PathOf("client.key"), peer.File("client.key"));
        peer._relays.Add(peer.FromEdge());
        peer.Check();
        await Eventually.True(() => peer.ChecksAnswered > 0, "Edge answering the ICE check");
        return peer;
    }

    /// <summary>Offers, checks and completes DTLS: Edge starts sending video.</summary>
    public static async Task<WhepPeer> Connect(EdgeServer server, bool go2rtc = false)
    {
        var peer = await Offer(server, go2rtc);
        await peer.Handshake();
        return peer;
    }

    /// <summary>An ICE connectivity check (nominating), as browsers repeat every few seconds for consent.</summary>
    public void Check() => _edgeSide.Send(BindingRequest($"{_ufrag}:{PeerUfrag}", _pwd), _edge);

    /// <summary>DTLS through <c>openssl s_client</c>; SRTP keys from its exporter.</summary>
    public async Task Handshake()
    {
        _relays.Add(FromClient());
        _client = ChildProcess.Start("stdbuf", ["-oL", "openssl", "s_client", "-dtls1_2", "-connect",
            $"127.0.0.1:{((IPEndPoint)_clientSide.Client.LocalEndPoint!).Port}", "-use_srtp", "SRTP_AES128_CM_SHA1_80",
            "-keymatexport", "EXTRACTOR-dtls_srtp", "-keymatexportlen", "60", "-cert", File("client.pem"), "-key", File("client.key")]);
        string line = await _client.WaitForLine(l => l.Contains("Keying material:", StringComparison.Ordinal), "s_client's exported keys",
            TimeSpan.FromSeconds(20));
        byte[] material = Convert.FromHexString(line[(line.IndexOf(':') + 1)..].Trim());
        // client key, server key, client salt, server salt: Edge is the server.
        _encrypt = new SrtpContext(material.AsSpan(0, 16), material.AsSpan(32, 14));
        lock (_early)
        {
            _decrypt = new SrtpContext(material.AsSpan(16, 16), material.AsSpan(46, 14));
            foreach (byte[] early in _early) Rtp(early);
            _early.Clear();
        }
    }

    /// <summary>Waits until a packet matches (checking those already here first).</summary>
    public async Task<ReceivedPacket> WaitFor(Func<ReceivedPacket, bool> match, string what, int timeoutMs)
    {
        ReceivedPacket? found = null;
        await Eventually.True(() => (found = _packets.FirstOrDefault(match)) != null, what, timeoutMs);
        return found!;
    }

    /// <summary>The packet as it first came, still encrypted.</summary>
    public byte[]? Raw(ushort sequence) => _raw.TryGetValue(sequence, out var raw) ? raw : null;

    /// <summary>A receiver report on the highest sequence received (extended, as browsers report it), as SRTCP.</summary>
    public void Report()
    {
        var report = new byte[32];
        BinaryPrimitives.WriteUInt32BigEndian(report, 0x81C90007);
        BinaryPrimitives.WriteUInt32BigEndian(report.AsSpan(4), _ssrc);
        BinaryPrimitives.WriteUInt32BigEndian(report.AsSpan(8), MediaSsrc);
        BinaryPrimitives.WriteUInt32BigEndian(report.AsSpan(16), (uint)Math.Max(0, Interlocked.Read(ref _highest)));
        SendRtcp(report);
    }

    /// <summary>A generic NACK for <paramref name="sequence"/> and the ones its bitmask names.</summary>
    public void Nack(ushort sequence, ushort following = 0)
    {
        var nack = new byte[16];
        BinaryPrimitives.WriteUInt32BigEndian(nack, 0x81CD0003);
        BinaryPrimitives.WriteUInt32BigEndian(nack.AsSpan(4), _ssrc);
        BinaryPrimitives.WriteUInt32BigEndian(nack.AsSpan(8), MediaSsrc);
        BinaryPrimitives.WriteUInt16BigEndian(nack.AsSpan(12), sequence);
        BinaryPrimitives.WriteUInt16BigEndian(nack.AsSpan(14), following);
        SendRtcp(nack);
    }

    /// <summary>A picture loss indication; returns the SRTCP datagram sent, for a replay.</summary>
    public byte[] PictureLoss()
    {
        var pli = new byte[12];
        BinaryPrimitives.WriteUInt32BigEndian(pli, 0x81CE0002);
        BinaryPrimitives.WriteUInt32BigEndian(pli.AsSpan(4), _ssrc);
        BinaryPrimitives.WriteUInt32BigEndian(pli.AsSpan(8), MediaSsrc);
        return SendRtcp(pli);
    }

    /// <summary>Sends a datagram to Edge from the peer's address as it is (a replay, garbage).</summary>
    public void SendRaw(byte[] datagram) => _edgeSide.Send(datagram, _edge);

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _edgeSide.Dispose();
        _clientSide.Dispose();
        if (_client != null) await _client.DisposeAsync();
        await Task.WhenAll(_relays).ContinueWith(_ => { }, TaskScheduler.Default);
        _decrypt?.Dispose();
        _encrypt?.Dispose();
        _stopping.Dispose();
        Signalling?.Dispose();
        foreach (string name in new[] { "client.pem", "client.key" }) System.IO.File.Delete(File(name));
    }

    /// <summary>A WebSocket to go2rtc's signalling address, logged in with Basic (as a script would).</summary>
    public static async Task<System.Net.WebSockets.ClientWebSocket> Go2RtcSocket(EdgeServer server)
    {
        var socket = new System.Net.WebSockets.ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", EdgeServer.BasicAuth(EdgeServer.User, EdgeServer.Password).ToString());
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await socket.ConnectAsync(new Uri($"ws://{server.BaseUri.Authority}/api/ws?src=camera"), timeout.Token);
        return socket;
    }

    /// <summary>
    /// Sends a {"type","value"} message of each type in turn and returns the value of the one reply, which must be of
    /// <paramref name="expected"/> type.
    /// </summary>
    public static async Task<string> Go2RtcExchange(System.Net.WebSockets.ClientWebSocket socket, string[] types, string value,
        string expected)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        foreach (string type in types)
        {
            byte[] message = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(
                new Dictionary<string, string> { ["type"] = type, ["value"] = value });
            await socket.SendAsync(message, System.Net.WebSockets.WebSocketMessageType.Text, true, timeout.Token);
        }
        var buffer = new byte[128 * 1024];
        int length = 0;
        while (true)
        {
            var received = await socket.ReceiveAsync(buffer.AsMemory(length), timeout.Token);
            length += received.Count;
            if (received.EndOfMessage) break;
        }
        using var reply = System.Text.Json.JsonDocument.Parse(buffer.AsMemory(0, length));
        Assert.AreEqual(expected, reply.RootElement.GetProperty("type").GetString(), Encoding.UTF8.GetString(buffer, 0, length));
        return reply.RootElement.GetProperty("value").GetString()!;
    }

    /// <summary>A Binding request as browsers send it: USERNAME, ICE-CONTROLLING, USE-CANDIDATE, MESSAGE-INTEGRITY, FINGERPRINT.</summary>
    public static byte[] BindingRequest(string username, string password)
    {
        byte[] name = Encoding.UTF8.GetBytes(username);
        int namePadded = (name.Length + 3) / 4 * 4;
        var message = new byte[20 + 4 + namePadded + 12 + 4 + 24 + 8];
        BinaryPrimitives.WriteUInt16BigEndian(message, 0x0001);
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(4), Stun.MagicCookie);
        RandomNumberGenerator.Fill(message.AsSpan(8, 12));
        int at = 20;
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(at), 0x0006);
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(at + 2), (ushort)name.Length);
        name.CopyTo(message, at + 4);
        at += 4 + namePadded;
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(at), 0x802A); // ICE-CONTROLLING and its tie-breaker
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(at + 2), 8);
        at += 12;
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(at), 0x0025); // USE-CANDIDATE
        at += 4;
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(2), (ushort)(at + 24 - 20));
        var integrity = HMACSHA1.HashData(Encoding.UTF8.GetBytes(password), message.AsSpan(0, at));
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(at), 0x0008);
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(at + 2), 20);
        integrity.CopyTo(message, at + 4);
        at += 24;
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(2), (ushort)(at + 8 - 20));
        uint crc = new Edge.Runtime.ReflectedCrc32(Edge.Runtime.ReflectedCrc32.Ieee).Compute(message.AsSpan(0, at)) ^ 0x5354554E;
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(at), 0x8028);
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(at + 2), 4);
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(at + 4), crc);
        return message;
    }

    /// <summary>An ECDSA certificate in <paramref name="scratch"/> (client.pem, client.key); its fingerprint as offers give it.</summary>
    public static async Task<string> Certificate(ScratchFolder scratch)
    {
        var made = await Tools.Run("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-days", "2", "-subj", "/CN=browser", "-keyout", scratch.PathOf("client.key"), "-out", scratch.PathOf("client.pem")]);
        Assert.AreEqual(0, made.ExitCode, made.Error);
        using var certificate = X509Certificate2.CreateFromPem(await System.IO.File.ReadAllTextAsync(scratch.PathOf("client.pem")));
        return DtlsContext.FingerprintOf(certificate.RawData);
    }

    private static string Line(string sdp, string prefix)
        => sdp.Split("\r\n").First(l => l.StartsWith(prefix, StringComparison.Ordinal))[prefix.Length..];

    private string File(string name) => Path.Combine(Path.GetTempPath(), $"edge-whep-{_ssrc}-{name}");

    private byte[] SendRtcp(byte[] plain)
    {
        var packet = new byte[plain.Length + SrtpContext.RtcpOverhead];
        plain.CopyTo(packet, 0);
        int length = _encrypt!.ProtectRtcp(packet, plain.Length);
        var datagram = packet[..length];
        _edgeSide.Send(datagram, _edge);
        return datagram;
    }

    // Edge's datagrams: STUN answers counted, DTLS to s_client, SRTP decrypted in order (a retransmission is kept as it came).
    private async Task FromEdge()
    {
        try
        {
            while (true)
            {
                var received = await _edgeSide.ReceiveAsync(_stopping.Token);
                byte[] data = received.Buffer;
                if (data.Length == 0) continue;
                if (data[0] < 4 && data.Length > 1 && data[1] == 0x01) Interlocked.Increment(ref _checksAnswered);
                else if (data[0] is >= 20 and <= 63 && _clientAddress != null) _clientSide.Send(data, _clientAddress);
                else if (data[0] is >= 128 and <= 191 && data.Length >= 12 && data[1] is not (>= 192 and <= 223))
                {
                    lock (_early)
                    {
                        if (_decrypt == null) _early.Add(data);
                        else Rtp(data);
                    }
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException) { }
    }

    // s_client's datagrams go to Edge from the peer's socket, the address the ICE check proved.
    private async Task FromClient()
    {
        try
        {
            while (true)
            {
                var received = await _clientSide.ReceiveAsync(_stopping.Token);
                _clientAddress = received.RemoteEndPoint;
                _edgeSide.Send(received.Buffer, _edge);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException) { }
    }

    private void Rtp(byte[] data)
    {
        ushort sequence = BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(2));
        bool first = _raw.TryAdd(sequence, data);
        long highest = Interlocked.Read(ref _highest);
        if (highest < 0) Interlocked.Exchange(ref _highest, sequence);
        else if ((ushort)(sequence - (ushort)highest) is > 0 and < 0x8000 and var ahead)
            Interlocked.Exchange(ref _highest, highest + ahead);
        byte[]? payload = null;
        if (_decrypt != null && (_lastDecrypted < 0 || (ushort)(sequence - _lastDecrypted) is > 0 and < 0x8000))
        {
            // AES-CM is its own inverse: "protecting" the ciphertext with the sender's keys and index gives the plain payload.
            var copy = new byte[data.Length];
            data.CopyTo(copy, 0);
            _decrypt.ProtectRtp(copy, data.Length - SrtpContext.TagLength);
            payload = copy[12..(data.Length - SrtpContext.TagLength)];
            _lastDecrypted = sequence;
        }
        _packets.Enqueue(new ReceivedPacket(sequence, BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(4)), (data[1] & 0x80) != 0,
            !first, data, payload, DateTime.UtcNow));
    }
}

/// <summary>An RTP packet a <see cref="WhepPeer"/> received: its payload if it could be decrypted (in order, not a repeat).</summary>
public sealed record ReceivedPacket(ushort Sequence, uint Timestamp, bool Marker, bool Repeat, byte[] Data, byte[]? Payload,
    DateTime Arrived)
{
    /// <summary>The payload carries (part of) an IDR picture: a single NAL, a STAP-A's or an FU-A's of type 5.</summary>
    public bool IsKeyFrame
    {
        get
        {
            if (Payload is not { Length: > 1 } p) return false;
            int type = p[0] & 0x1F;
            if (type == 28) return (p[1] & 0x1F) == 5;
            if (type != 24) return type == 5;
            for (int at = 1; at + 2 < p.Length;)
            {
                int size = BinaryPrimitives.ReadUInt16BigEndian(p.AsSpan(at));
                if ((p[at + 2] & 0x1F) == 5) return true;
                at += 2 + size;
            }
            return false;
        }
    }
}
