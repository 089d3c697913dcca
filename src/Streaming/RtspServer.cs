using System.Net;
using System.Net.Sockets;
using Edge.Camera;
using Edge.Runtime;
using Edge.State;
using Edge.Web.Auth;
using Microsoft.Extensions.Logging;

namespace Edge.Streaming;

/// <summary>
/// The RTSP server (TCP, default port 8554): <c>rtsp://host:8554/stream</c> plays the camera as JPEG
/// over RTP (RFC 2435), <c>/h264</c> passes an H.264 camera through (RFC 6184). RTP goes interleaved
/// on the RTSP connection or over UDP from one pair of server ports. A frame is cut into packets once,
/// whatever the number of sessions. Runs under the supervisor; loop only.
/// </summary>
public sealed class RtspServer(EventLoop loop, CameraService camera, Authenticator auth, StateStore state, RtspSettings settings, ConnectionTable connections, ILogger logger)
{
    private static readonly TimeSpan ReportInterval = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan DescribeWait = TimeSpan.FromSeconds(5);

    private readonly Dictionary<string, RtspSession> _sessions = new(StringComparer.Ordinal);
    private readonly HashSet<RtspConnection> _connections = [];
    private readonly JpegPayloader _jpeg = new();
    private readonly H264Payloader _h264 = new();
    private Socket? _rtp, _rtcp;
    private (long Sequence, RtspTrack Track, RtpFrame? Fragments) _lastFragmented = (-1, RtspTrack.Jpeg, null);
    private string? _h264Parameters;
    private string? _lastProblem;
    private readonly LatencyWindow _latency = new();
    private long _framesSent, _framesCounted, _lastStats, _accepted;
    // Scanners send garbage by the thousand: refusals are logged at most 10 times a minute.
    private readonly RateLimitedLog _refusals = new(logger, loop.Time, perMinute: 10);

    public RtspSettings Settings { get; } = settings;

    internal EventLoop Loop => loop;

    internal ConnectionTable Connections => connections;

    public TimeProvider Time => loop.Time;

    /// <summary>The TCP port listened on (the configured one, or the one picked for 0).</summary>
    public int Port { get; private set; }

    public (int Rtp, int Rtcp) UdpPorts { get; private set; }

    public int SessionCount => _sessions.Count;

    /// <summary>Frames sent to sessions since start, counted once per session.</summary>
    public long FramesSent => _framesSent;

    /// <summary>Raised with the port once the server listens.</summary>
    public event Action<int>? Listening;

    /// <summary>The o= version of the SDP: changes when the camera's settings do.</summary>
    internal long SessionVersion => camera.Settings.GetHashCode() & 0x7FFFFFFF;

    internal int Fps => camera.Settings.Fps;

    /// <summary>The supervised service: listens until <paramref name="cancellationToken"/> fires.</summary>
    public async Task Run(CancellationToken cancellationToken)
    {
        loop.VerifyAccess();
        using var listener = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp) { DualMode = true };
        listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Bind(new IPEndPoint(IPAddress.IPv6Any, Settings.Port));
        listener.Listen(64);
        Port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        using var rtp = BindUdp(0);
        using var rtcp = BindUdp(0);
        _rtp = rtp;
        _rtcp = rtcp;
        UdpPorts = (((IPEndPoint)rtp.LocalEndPoint!).Port, ((IPEndPoint)rtcp.LocalEndPoint!).Port);
        Listening?.Invoke(Port);
        logger.LogInformation("RTSP listening on port {Port} (rtsp://HOST:{Port}/stream; UDP RTP/RTCP from ports {Rtp}/{Rtcp})", Port, Port, UdpPorts.Rtp, UdpPorts.Rtcp);
        using var reports = loop.CreateTimer(Tick, ReportInterval, ReportInterval);
        _lastStats = loop.Time.GetTimestamp();
        using var everySecond = loop.CreateTimer(EverySecond, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        var rtcpReader = ReadRtcp(rtcp, cancellationToken);
        try
        {
            while (true)
            {
                var client = await listener.AcceptAsync(cancellationToken);
                if (_connections.Count >= Settings.MaxConnections)
                {
                    _refusals.Warn("RTSP connection from {Address} closed: MaxConnections reached", (client.RemoteEndPoint as IPEndPoint)?.Address.ToString() ?? "?");
                    client.Dispose();
                    continue;
                }
                var connection = new RtspConnection(this, client, "rtsp-" + ++_accepted, logger);
                _connections.Add(connection);
                _ = connection.Run(cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested) { }
        finally
        {
            foreach (var connection in _connections.ToArray()) connection.Close(null);
            _rtp = _rtcp = null;
        }
        await rtcpReader;
    }

    private static Socket BindUdp(int port)
    {
        var socket = new Socket(AddressFamily.InterNetworkV6, SocketType.Dgram, ProtocolType.Udp) { DualMode = true };
        socket.Bind(new IPEndPoint(IPAddress.IPv6Any, port));
        return socket;
    }

    internal Authenticator Auth => auth;

    /// <summary>Why a track cannot be played now, or null.</summary>
    internal string? Unavailable(RtspTrack track)
    {
        bool h264Camera = camera.Settings.DeliversH264;
        return track switch
        {
            RtspTrack.Jpeg when h264Camera => "the camera delivers H.264: play /h264",
            RtspTrack.H264 when !h264Camera => "the camera does not deliver H.264: play /stream",
            _ => null,
        };
    }

    internal RtspSession? TryCreateSession(RtspConnection connection, RtspTrack track, RtspTransport transport)
    {
        if (_sessions.Count >= Settings.MaxSessions) return null;
        string id;
        do id = Convert.ToHexString(BitConverter.GetBytes(Random.Shared.NextInt64()));
        while (_sessions.ContainsKey(id));
        var session = new RtspSession(this, connection, id, track, transport, track == RtspTrack.Jpeg ? camera.Jpeg : camera.H264);
        _sessions.Add(id, session);
        return session;
    }

    internal void Refused(RtspConnection connection, string why)
        => _refusals.Warn("RTSP connection from {Address} closed: {Why}", connection.RemoteAddress?.ToString() ?? "?", why);

    internal void RemoveSession(RtspSession session) => _sessions.Remove(session.Id);

    internal void Forget(RtspConnection connection) => _connections.Remove(connection);

    /// <summary>The frame's RTP fragments, made once and shared by every session sending it; null if it cannot be sent.</summary>
    internal RtpFrame? Fragment(Frame frame, RtspTrack track)
    {
        if (_lastFragmented.Sequence == frame.Sequence && _lastFragmented.Track == track) return _lastFragmented.Fragments;
        // A new RtpFrame each time: sessions still writing the previous frame keep their fragments.
        var fragments = new RtpFrame();
        int room = Settings.MaxPacketBytes - RtpHeader.Size;
        string? problem;
        bool ok = track == RtspTrack.Jpeg ? _jpeg.TryFragment(frame.Data, room, fragments, out problem) : _h264.TryFragment(frame.Data, room, fragments, out problem);
        if (!ok && problem != _lastProblem)
        {
            _lastProblem = problem;
            logger.LogWarning("RTSP cannot send a frame: {Problem}", problem);
        }
        _lastFragmented = (frame.Sequence, track, ok ? fragments : null);
        return _lastFragmented.Fragments;
    }

    /// <summary>The H.264 SDP parameters from the camera's latest key frame (waiting up to 5 s for one); null if none came.</summary>
    internal async Task<string?> H264Parameters()
    {
        if (camera.H264.Latest is { IsKeyFrame: true } latest && Parameters(latest) is { } now) return _h264Parameters = now;
        if (_h264Parameters != null) return _h264Parameters;
        using var viewer = camera.H264.AddViewer(TimeSpan.Zero);
        using var timeout = new CancellationTokenSource(DescribeWait, loop.Time);
        try
        {
            while (await viewer.Next(timeout.Token) is { } frame)
            {
                try
                {
                    if (frame.IsKeyFrame && Parameters(frame) is { } found) return _h264Parameters = found;
                }
                finally
                {
                    frame.Release();
                }
            }
        }
        catch (OperationCanceledException) { }
        return null;
    }

    private static string? Parameters(Frame frame)
        => H264Payloader.TryGetParameterSets(frame.Data, out var sps, out var pps) ? H264Payloader.SdpFormatParameters(sps, pps) : null;

    /// <summary>A session finished sending a frame captured at <paramref name="capturedAt"/>.</summary>
    internal void FrameSent(long capturedAt)
    {
        _framesSent++;
        _latency.RecordNanos((long)loop.Time.GetElapsedTime(capturedAt).TotalNanoseconds);
    }

    // Once a second: connections that trickle or idle are closed; rtsp.sessions, rtsp.fps (frames sent to all sessions), rtsp.latency_ms (capture to
    // the end of the frame's send, over the last second).
    private void EverySecond()
    {
        long now = loop.Time.GetTimestamp();
        var requestTimeout = TimeSpan.FromSeconds(Settings.RequestTimeoutSeconds);
        var idleTimeout = TimeSpan.FromSeconds(Settings.SessionTimeoutSeconds);
        foreach (var connection in _connections.ToArray()) connection.CheckTimeouts(now, requestTimeout, idleTimeout);
        double seconds = Math.Max(loop.Time.GetElapsedTime(_lastStats, now).TotalSeconds, 1e-3);
        _lastStats = now;
        state.Publish("rtsp.sessions", _sessions.Count, StateJsonContext.Default.Int32);
        state.Publish("rtsp.fps", Math.Round((_framesSent - _framesCounted) / seconds, 1), StateJsonContext.Default.Double);
        _framesCounted = _framesSent;
        var latency = _latency.Take();
        if (latency.Count > 0)
            state.Publish("rtsp.latency_ms", new RtspLatency(Math.Round(latency.Percentile(0.5).TotalMilliseconds, 2), Math.Round(latency.Percentile(0.99).TotalMilliseconds, 2)), StreamingJsonContext.Default.RtspLatency);
    }

    internal void SendRtp(ReadOnlySpan<byte> packet, IPEndPoint target) => SendUdp(_rtp, packet, target);

    internal void SendRtcp(ReadOnlySpan<byte> packet, IPEndPoint target) => SendUdp(_rtcp, packet, target);

    private static void SendUdp(Socket? socket, ReadOnlySpan<byte> packet, IPEndPoint target)
    {
        if (socket == null) return;
        // A client that went away answers with ICMP errors; its session times out on its own.
        try { socket.SendTo(packet, SocketFlags.None, target); }
        catch (SocketException) { }
    }

    // RTCP from UDP clients (receiver reports) keeps their sessions alive.
    private async Task ReadRtcp(Socket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[1500];
        EndPoint any = new IPEndPoint(IPAddress.IPv6Any, 0);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var received = await socket.ReceiveFromAsync(buffer, SocketFlags.None, any, cancellationToken);
                if (received.RemoteEndPoint is not IPEndPoint from) continue;
                foreach (var session in _sessions.Values)
                    if (session.RtcpTarget is { } target && target.Port == from.Port && Same(target.Address, from.Address))
                        session.LastActivity = loop.Time.GetTimestamp();
            }
            catch (OperationCanceledException) { return; }
            catch (SocketException) { } // ICMP port unreachable from a departed client
        }
    }

    private static bool Same(IPAddress a, IPAddress b)
        => (a.IsIPv4MappedToIPv6 ? a.MapToIPv4() : a).Equals(b.IsIPv4MappedToIPv6 ? b.MapToIPv4() : b);

    // Every few seconds: sender reports, and UDP sessions that went silent are ended.
    private void Tick()
    {
        var timeout = TimeSpan.FromSeconds(Settings.SessionTimeoutSeconds);
        foreach (var session in _sessions.Values.ToArray())
        {
            if (!session.Transport.Tcp && loop.Time.GetElapsedTime(session.LastActivity) > timeout)
            {
                session.Connection.EndSession("timed out");
                continue;
            }
            session.SendReport();
        }
    }
}
