using System.Net;
using System.Net.Sockets;
using Edge.Camera;
using Edge.Runtime;
using Edge.Video;
using Microsoft.Extensions.Logging;

namespace Edge.Streaming.WebRtc;

/// <summary>A WHEP offer Edge will not answer: the HTTP status and why.</summary>
public sealed class WhepRefusal(int status, string message) : Exception(message)
{
    public int Status { get; } = status;
}

/// <summary>
/// WebRTC's one UDP port (the supervised <c>webrtc</c>) and its sessions: an offer becomes a session
/// and its answer; datagrams are told apart by their first byte (RFC 7983): STUN finds its session by
/// the USERNAME's ufrag and must carry its integrity, DTLS and SRTCP only come from addresses a valid
/// check came from. A session whose checks stop for <c>ConsentTimeoutSeconds</c> ends, and so does
/// one whose receiver reports stop showing progress for <c>StallTimeoutSeconds</c>. The socket never
/// blocks the loop: a full send buffer drops the datagram (counted; NACK or the next key frame repairs
/// it), so no viewer can hold up another. Loop only.
/// </summary>
public sealed partial class WebRtcServer(EventLoop loop, WorkerPool pool, CameraService camera, H264Service h264, WebRtcSettings settings,
    Func<IEnumerable<IPAddress>> addresses, ILogger logger)
{
    // Room for a key frame to every session at once before the kernel drops (it caps this at net.core.wmem_max).
    private const int SendBufferBytes = 1 << 20;

    // RTP payload room: a datagram of at most the DTLS MTU, less the RTP header and the SRTP tag.
    private const int PayloadRoom = DtlsTransport.Mtu - RtpHeader.Size - SrtpContext.RtpOverhead;

    private readonly Dictionary<string, WebRtcSession> _byUfrag = new(StringComparer.Ordinal);
    private readonly Dictionary<string, WebRtcSession> _byId = new(StringComparer.Ordinal);
    private readonly Dictionary<IPEndPoint, WebRtcSession> _byAddress = [];
    private readonly H264Payloader _payloader = new();
    private readonly PeerFaultLog _faults = new(logger, loop.Time);
    private (long Sequence, RtpFrame? Fragments) _lastFragmented = (-1, null);
    private Task<DtlsContext>? _dtls;
    private Socket? _socket;
    private long _drops, _dropsPublished;

    /// <summary>The UDP port sessions use, once bound.</summary>
    public int Port { get; private set; }

    public int SessionCount => _byId.Count;

    /// <summary>The port is bound (with its number).</summary>
    public event Action<int>? Listening;

    /// <summary>A session started or ended (with how many there are).</summary>
    public event Action<int>? SessionsChanged;

    /// <summary>Datagrams dropped because the send buffer was full, so far (told at most once a second).</summary>
    public event Action<long>? DropsChanged;

    public async Task Run(CancellationToken cancellationToken)
    {
        loop.VerifyAccess();
        using var socket = _socket = new Socket(AddressFamily.InterNetworkV6, SocketType.Dgram, ProtocolType.Udp) { DualMode = true };
        socket.Bind(new IPEndPoint(IPAddress.IPv6Any, settings.Port));
        socket.Blocking = false;
        socket.SendBufferSize = SendBufferBytes;
        Port = ((IPEndPoint)socket.LocalEndPoint!).Port;
        Log.Listening(logger, Port);
        Listening?.Invoke(Port);
        using var tick = loop.CreateTimer(Tick, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        var buffer = new byte[2048];
        EndPoint any = new IPEndPoint(IPAddress.IPv6Any, 0);
        try
        {
            while (true)
            {
                SocketReceiveFromResult received;
                try { received = await socket.ReceiveFromAsync(buffer, SocketFlags.None, any, cancellationToken); }
                catch (SocketException) { continue; } // ICMP unreachable from a departed viewer
                if (received.RemoteEndPoint is IPEndPoint from) Receive(buffer.AsSpan(0, received.ReceivedBytes), from);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested) { }
        finally
        {
            foreach (var session in _byId.Values.ToList()) Remove(session, "Edge is stopping");
            _socket = null;
        }
    }

    /// <summary>A session for a WHEP offer, and its answer.</summary>
    /// <param name="local">The address the offer came to: a candidate the browser can surely reach.</param>
    /// <exception cref="WhepRefusal">The offer cannot be served (400, 422, 503).</exception>
    public async Task<(string Id, string Answer)> Offer(string sdp, IPAddress? local)
    {
        loop.VerifyAccess();
        Admit();
        if (h264.Unavailable is { } reason) throw new WhepRefusal(503, $"No live H.264: {reason}.");
        SdpOffer offer;
        try { offer = SdpOffer.Parse(sdp); }
        catch (FormatException e) { throw new WhepRefusal(400, "The offer is not SDP: " + e.Message); }
        var video = offer.Media.FirstOrDefault(m => m.Kind == "video" && m.Port != 0 && m.Direction is "recvonly" or "sendrecv")
            ?? throw new WhepRefusal(422, "The offer has no video section that receives.");
        if (video.IceUfrag == null || video.IcePwd == null || video.Fingerprint == null || video.Mid == null)
            throw new WhepRefusal(400, "The offer's video section lacks ice-ufrag, ice-pwd, fingerprint or mid.");
        if (!video.Fingerprint.StartsWith("sha-256 ", StringComparison.OrdinalIgnoreCase))
            throw new WhepRefusal(422, "Only a sha-256 fingerprint is supported.");
        if (video.Setup is not ("actpass" or "active"))
            throw new WhepRefusal(422, "Edge is the DTLS server: setup must be actpass or active.");
        var (profile, constraints) = CameraProfile();
        if (H264PayloadChoice.Choose(video, profile, constraints) is not { } payloadType)
            throw new WhepRefusal(422, "The offer has no H.264 with packetization-mode=1.");
        var dtls = await Dtls();
        Admit(); // again: the port may have stopped, or other offers filled it, while the context was made
        var ice = IceCredentials.Create();
        string id = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(12));
        var session = new WebRtcSession(loop, camera.H264, this, dtls, id, ice, video.IceUfrag, video.Fingerprint, payloadType);
        var candidates = Candidates(local);
        string answer = SdpAnswer.Write(offer, video, payloadType, ice, dtls.Fingerprint, candidates, session.Ssrc,
            Random.Shared.NextInt64(1, long.MaxValue));
        _byId[id] = session;
        _byUfrag[ice.Ufrag] = session;
        SessionsChanged?.Invoke(_byId.Count);
        Log.Started(logger, id, string.Join(", ", candidates));
        return (id, answer);
    }

    /// <summary>Whether session <paramref name="id"/> is there.</summary>
    public bool Has(string id) => _byId.ContainsKey(id);

    /// <summary>Ends the session <paramref name="id"/> (WHEP's DELETE); false when there is none.</summary>
    public bool Delete(string id)
    {
        loop.VerifyAccess();
        if (!_byId.TryGetValue(id, out var session)) return false;
        Remove(session, "the viewer ended it");
        return true;
    }

    internal void Send(ReadOnlySpan<byte> datagram, IPEndPoint to)
    {
        // Non-blocking: a full send buffer drops the datagram (NACK or the next key frame repair it); a departed viewer times out.
        try { _socket?.SendTo(datagram, SocketFlags.None, to); }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.WouldBlock or SocketError.NoBufferSpaceAvailable) { _drops++; }
        catch (SocketException) { }
    }

    /// <summary>The frame's RTP fragments, made once and shared by every session sending it; null if it cannot be sent.</summary>
    internal RtpFrame? Fragment(Frame frame)
    {
        if (_lastFragmented.Sequence == frame.Sequence) return _lastFragmented.Fragments;
        var fragments = new RtpFrame();
        bool ok = _payloader.TryFragment(frame.Data, PayloadRoom, fragments, out _);
        _lastFragmented = (frame.Sequence, ok ? fragments : null);
        return _lastFragmented.Fragments;
    }

    private void Receive(Span<byte> datagram, IPEndPoint from)
    {
        if (datagram.Length == 0) return;
        byte first = datagram[0];
        if (first < 4)
        {
            Check(datagram, from);
            return;
        }
        if (!_byAddress.TryGetValue(from, out var session)) return; // not proven by a check: dropped unread
        if (first is >= 20 and <= 63) session.Dtls(datagram, from);
        else if (first is >= 128 and <= 191 && datagram.Length >= 2 && datagram[1] is >= 192 and <= 223) session.Rtcp(datagram);
        if (session.Ended != null) Remove(session, session.Ended);
    }

    // An ICE connectivity check: answered when it names a session and carries its integrity.
    private void Check(ReadOnlySpan<byte> message, IPEndPoint from)
    {
        if (Stun.ReadBinding(message) is not { } binding) return;
        int colon = binding.Username.IndexOf(':');
        if (colon < 0 || !_byUfrag.TryGetValue(binding.Username[..colon], out var session)
            || binding.Username[(colon + 1)..] != session.PeerUfrag)
        {
            _faults.Warn(from.Address, "webrtc-unknown-ufrag", "an ICE check for no session");
            return;
        }
        if (!Stun.HasIntegrity(message, binding, session.Ice.PwdBytes))
        {
            _faults.Warn(from.Address, "webrtc-integrity", "an ICE check whose integrity is wrong");
            return;
        }
        Span<byte> response = stackalloc byte[Stun.MaxResponseLength];
        if (binding.Controlled)
        {
            Send(response[..Stun.WriteRoleConflict(response, binding.TransactionId, session.Ice.PwdBytes)], from);
            return;
        }
        Send(response[..Stun.WriteSuccess(response, binding.TransactionId, from, session.Ice.PwdBytes)], from);
        session.Checked(from, binding.UseCandidate);
        _byAddress[from] = session;
    }

    private void Admit()
    {
        if (_socket == null) throw new WhepRefusal(503, "WebRTC is not running.");
        if (_byId.Count >= settings.MaxSessions) throw new WhepRefusal(503, $"{settings.MaxSessions} WebRTC viewers watch already.");
    }

    // The DTLS context (OpenSSL loaded, a key and certificate made) on the pool, once; made again after a failure.
    private async Task<DtlsContext> Dtls()
    {
        var making = _dtls ??= pool.Submit(_ => new DtlsContext(loop.Time), PoolFullMode.Wait);
        try { return await making; }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // OpenSSL missing, a key or certificate that could not be made, the pool closing: tried again next time.
            if (_dtls == making) _dtls = null;
            throw new WhepRefusal(503, "WebRTC cannot start DTLS: " + e.Message);
        }
    }

    // Once a second: retransmissions, sender reports, sessions whose consent ran out or whose viewer stalled.
    private void Tick()
    {
        var consent = TimeSpan.FromSeconds(settings.ConsentTimeoutSeconds);
        var stall = TimeSpan.FromSeconds(settings.StallTimeoutSeconds);
        foreach (var session in _byId.Values.ToList())
        {
            session.Tick();
            if (session.Ended == null && loop.Time.GetElapsedTime(session.LastCheck) > consent)
                session.End($"no ICE check for {settings.ConsentTimeoutSeconds} s");
            if (session.Ended == null && session.Stalled(stall))
                session.End($"the viewer reported no progress for {settings.StallTimeoutSeconds} s");
            if (session.Ended != null) Remove(session, session.Ended);
        }
        if (_drops != _dropsPublished) DropsChanged?.Invoke(_dropsPublished = _drops);
    }

    private void Remove(WebRtcSession session, string why)
    {
        session.End(why);
        _byId.Remove(session.Id);
        _byUfrag.Remove(session.Ice.Ufrag);
        foreach (var address in session.Proven) _byAddress.Remove(address);
        session.Dispose();
        Log.Ended(logger, session.Id, why);
        SessionsChanged?.Invoke(_byId.Count);
    }

    // The camera's H.264 profile from its latest key frame's SPS; Constrained Baseline until one came.
    private (int Profile, int Constraints) CameraProfile()
        => camera.H264.Latest is { IsKeyFrame: true } latest && H264Payloader.TryGetParameterSets(latest.Data, out byte[] sps, out _)
            && sps.Length > 3 ? (sps[1], sps[2]) : (66, 0xC0);

    private List<IPEndPoint> Candidates(IPAddress? local)
    {
        var list = new List<IPEndPoint>();
        void Add(IPAddress address)
        {
            address = PeerAddress.Normalize(address);
            if (address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) || address.IsIPv6LinkLocal) return;
            var endpoint = new IPEndPoint(address, Port);
            if (!list.Contains(endpoint)) list.Add(endpoint);
        }
        if (local != null) Add(local);
        foreach (var address in addresses()) Add(address);
        return list;
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "WebRTC on UDP port {Port}")]
        public static partial void Listening(ILogger logger, int port);

        [LoggerMessage(Level = LogLevel.Information, Message = "WebRTC session {Id} offered on {Candidates}")]
        public static partial void Started(ILogger logger, string id, string candidates);

        [LoggerMessage(Level = LogLevel.Information, Message = "WebRTC session {Id} ended: {Why}")]
        public static partial void Ended(ILogger logger, string id, string why);
    }
}
