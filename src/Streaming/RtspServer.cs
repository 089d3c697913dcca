using System.Net;
using System.Net.Sockets;
using Edge.Camera;
using Edge.Runtime;
using Edge.State;
using Edge.Auth;
using Edge.Video;
using Microsoft.Extensions.Logging;

namespace Edge.Streaming;

/// <summary>
/// The RTSP server (TCP, default port 8554): <c>rtsp://host:8554/stream</c> plays the camera as JPEG
/// over RTP (RFC 2435), <c>/h264</c> as H.264 (RFC 6184): an H.264 camera's own, or Edge's encoder's. RTP goes interleaved
/// on the RTSP connection or over UDP from one pair of server ports. A frame is cut into packets once,
/// whatever the number of sessions. Listens on <paramref name="addresses"/> (the HTTP hosts', unless
/// <c>Rtsp:Address</c> names one; <see cref="IPAddress.IPv6Any"/> is every address, IPv4 and IPv6).
/// Runs under the supervisor; loop only.
/// </summary>
public sealed partial class RtspServer(EventLoop loop, CameraService camera, H264Service h264, Authenticator auth, StateStore state,
    RtspSettings settings, IReadOnlyList<IPAddress> addresses, ConnectionTable connections, ILogger logger)
{
    // Sender reports and UDP time-outs every fifth beat of the loop's heartbeat.
    private const int ReportBeats = 5;
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
    private long _framesSent, _framesCounted, _lastStats, _accepted, _beats;
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

    /// <summary>The frame rate the camera delivers, for the SDP's a=framerate.</summary>
    internal int Fps => camera.Shape.Fps;

    /// <summary>The supervised service: listens until <paramref name="cancellationToken"/> fires.</summary>
    public async Task Run(CancellationToken cancellationToken)
    {
        loop.VerifyAccess();
        // New settings may bring another SPS: the next DESCRIBE waits for a key frame of the new stream.
        camera.SettingsChanged += ForgetParameters;
        var listeners = Listen();
        try
        {
            Port = ((IPEndPoint)listeners[0].LocalEndPoint!).Port;
            // UDP leaves from the one address RTSP is reached on, or from every address when it has several.
            var udpAddress = addresses.Count == 1 ? addresses[0] : IPAddress.IPv6Any;
            using var rtp = BindUdp(udpAddress);
            using var rtcp = BindUdp(udpAddress);
            _rtp = rtp;
            _rtcp = rtcp;
            UdpPorts = (((IPEndPoint)rtp.LocalEndPoint!).Port, ((IPEndPoint)rtcp.LocalEndPoint!).Port);
            Listening?.Invoke(Port);
            Log.Listening(logger, Port, string.Join(", ", listeners.Select(l => Describe(((IPEndPoint)l.LocalEndPoint!).Address))),
                UdpPorts.Rtp, UdpPorts.Rtcp);
            _lastStats = loop.Time.GetTimestamp();
            using var beat = loop.Heartbeat.Subscribe(EverySecond);
            var rtcpReader = ReadRtcp(rtcp, cancellationToken);
            try
            {
                await Task.WhenAll(listeners.Select(listener => Accept(listener, cancellationToken)));
            }
            finally
            {
                foreach (var connection in _connections.ToArray()) connection.Close(null);
                _rtp = _rtcp = null;
            }
            await rtcpReader;
        }
        finally
        {
            camera.SettingsChanged -= ForgetParameters;
            foreach (var listener in listeners) listener.Dispose();
        }
    }

    private void ForgetParameters() => _h264Parameters = null;

    private static string Describe(IPAddress address) => address.Equals(IPAddress.IPv6Any) ? "every address" : address.ToString();

    // One listener per address, all on the same port (the first one's, when Port is 0).
    private List<Socket> Listen()
    {
        var listeners = new List<Socket>();
        int port = Settings.Port;
        foreach (var address in addresses)
        {
            var listener = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                if (address.Equals(IPAddress.IPv6Any)) listener.DualMode = true;
                listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
                listener.Bind(new IPEndPoint(address, port));
                listener.Listen(64);
            }
            catch (SocketException) when (listeners.Count > 0 || address != addresses[^1])
            {
                // localhost without IPv6, say: the other addresses still serve.
                listener.Dispose();
                continue;
            }
            catch
            {
                listener.Dispose();
                foreach (var opened in listeners) opened.Dispose();
                throw;
            }
            port = ((IPEndPoint)listener.LocalEndPoint!).Port;
            listeners.Add(listener);
        }
        return listeners;
    }

    private async Task Accept(Socket listener, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                var client = await listener.AcceptAsync(cancellationToken);
                var address = PeerAddress.Normalize(client.RemoteEndPoint);
                if (_connections.Count >= Settings.MaxConnections)
                {
                    if (_refusals.Admit()) Log.Refused(logger, address?.ToString() ?? "?", "MaxConnections reached");
                    client.Dispose();
                    continue;
                }
                // An address's connections that have not logged in share a few slots: the newest win,
                // so a client that keeps connections open without credentials holds none for long.
                if (address != null && OldestWaitingForLogin(address) is { } oldest)
                {
                    Refused(oldest, $"replaced by a newer connection from the same address " +
                        $"({Settings.MaxUnauthenticatedPerAddress} may wait for a login)");
                    oldest.Close(null);
                }
                var connection = new RtspConnection(this, client, ++_accepted, logger);
                _connections.Add(connection);
                _ = connection.Run(cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested) { }
    }

    // The oldest of the address's connections that have not logged in, when it has its share of them.
    // Linear in MaxConnections, once per accepted connection.
    private RtspConnection? OldestWaitingForLogin(IPAddress address)
    {
        RtspConnection? oldest = null;
        int count = 0;
        foreach (var connection in _connections)
        {
            if (connection.Authenticated || !address.Equals(connection.RemoteAddress)) continue;
            count++;
            if (oldest == null || connection.Number < oldest.Number) oldest = connection;
        }
        return count >= Settings.MaxUnauthenticatedPerAddress ? oldest : null;
    }

    private static Socket BindUdp(IPAddress address)
    {
        var socket = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        if (address.Equals(IPAddress.IPv6Any)) socket.DualMode = true;
        socket.Bind(new IPEndPoint(address, 0));
        return socket;
    }

    internal Authenticator Auth => auth;

    /// <summary>Why a track cannot be played now, or null.</summary>
    internal string? Unavailable(RtspTrack track)
    {
        return track switch
        {
            RtspTrack.Jpeg when camera.JpegUnavailable is { } why => why,
            RtspTrack.H264 when h264.Unavailable is { } why => $"{why}: play /stream",
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
    {
        if (_refusals.Admit()) Log.Refused(logger, connection.RemoteAddress?.ToString() ?? "?", why);
    }

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
        bool ok = track == RtspTrack.Jpeg
            ? _jpeg.TryFragment(frame.Data, room, fragments, out problem)
            : _h264.TryFragment(frame.Data, room, fragments, out problem);
        if (!ok && problem != _lastProblem)
        {
            _lastProblem = problem;
            Log.CannotSendFrame(logger, problem);
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
        camera.H264.RequestKeyFrame();
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

    // Once a second: connections that trickle or idle are closed; rtsp.sessions, rtsp.fps (frames sent to all sessions),
    // rtsp.latency_ms (capture to the end of the frame's send, over the last second).
    private void EverySecond()
    {
        if (++_beats % ReportBeats == 0) Tick();
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
            state.Publish("rtsp.latency_ms",
                new RtspLatency(Math.Round(latency.Percentile(0.5).TotalMilliseconds, 2),
                    Math.Round(latency.Percentile(0.99).TotalMilliseconds, 2)), StreamingJsonContext.Default.RtspLatency);
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
        EndPoint any = new IPEndPoint(socket.AddressFamily == AddressFamily.InterNetwork ? IPAddress.Any : IPAddress.IPv6Any, 0);
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

    private static bool Same(IPAddress a, IPAddress b) => PeerAddress.Normalize(a).Equals(PeerAddress.Normalize(b));

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

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "RTSP connection from {Address} closed: {Why}")]
        public static partial void Refused(ILogger logger, string address, string why);

        [LoggerMessage(Level = LogLevel.Information,
            Message = "RTSP listening on port {Port} of {Addresses} (rtsp://HOST:PORT/stream; UDP RTP/RTCP from ports {Rtp}/{Rtcp})")]
        public static partial void Listening(ILogger logger, int port, string addresses, int rtp, int rtcp);

        [LoggerMessage(Level = LogLevel.Warning, Message = "RTSP cannot send a frame: {Problem}")]
        public static partial void CannotSendFrame(ILogger logger, string? problem);
    }
}
