using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Edge.Runtime;
using Edge.Auth;
using Microsoft.Extensions.Logging;

namespace Edge.Streaming;

/// <summary>
/// One RTSP client's TCP connection (RFC 2326): reads requests one at a time, answers them, and
/// carries the interleaved RTP/RTCP of its session. Everything it writes goes through one ordered
/// send chain, so responses never land inside a packet. Loop only.
/// </summary>
public sealed partial class RtspConnection
{
    private const string Methods = "OPTIONS, DESCRIBE, SETUP, PLAY, PAUSE, TEARDOWN, GET_PARAMETER, SET_PARAMETER";
    // Bounds what the kernel holds for a slow client (Linux doubles it); the viewer skips frames instead.
    private const int SendBufferBytes = 256 * 1024;
    private static readonly TimeSpan SendTimeout = TimeSpan.FromSeconds(10);

    private readonly RtspServer _server;
    private readonly Socket _socket;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _closing = new();
    private readonly SerialChain _sends = new();
    private RtspSession? _session;
    private bool _closed;
    // When the last whole request (or interleaved packet) arrived, and since when part of one waits (0: none).
    private long _lastRequestAt, _partialSince;
    // A request has been answered; one is being handled now.
    private bool _answered, _handling;
    private int _queuedSends;

    internal RtspConnection(RtspServer server, Socket socket, long number, ILogger logger)
    {
        Number = number;
        _server = server;
        _socket = socket;
        _logger = logger;
        socket.NoDelay = true;
        socket.SendBufferSize = SendBufferBytes;
        RemoteAddress = PeerAddress.Normalize(socket.RemoteEndPoint);
        // With auth off there is nothing to wait for.
        Authenticated = !server.Auth.Enabled;
        _lastRequestAt = server.Time.GetTimestamp();
        Entry = server.Connections.Open("rtsp-" + number, "rtsp", socket.RemoteEndPoint);
        Entry.Socket = socket;
        Entry.Pending = () => _queuedSends;
        Entry.Detail = () => _session == null
            ? "no session"
            : $"session {_session.Id}, {_session.Track}, {(_session.Transport.Tcp ? "TCP" : "UDP")}";
    }

    /// <summary>This connection in the runtime inspector's table; RTP sent over UDP for its session is added to its bytes.</summary>
    internal ConnectionEntry Entry { get; }

    /// <summary>The order connections were accepted in.</summary>
    public long Number { get; }

    /// <summary>The client's address (IPv4 as a.b.c.d, not ::ffff:a.b.c.d).</summary>
    public IPAddress? RemoteAddress { get; }

    /// <summary>A request on this connection carried valid credentials.</summary>
    public bool Authenticated { get; private set; }

    public async Task Run(CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _closing.Token);
        var buffer = new byte[16 * 1024];
        int length = 0;
        long skip = 0; // bytes of an interleaved packet still to discard
        try
        {
            while (!_closed)
            {
                int read = await _socket.ReceiveAsync(buffer.AsMemory(length), SocketFlags.None, stop.Token);
                if (read == 0) break;
                length += read;
                if (skip > 0)
                {
                    int dropped = (int)Math.Min(skip, length);
                    skip -= dropped;
                    Consume(buffer, ref length, dropped);
                }
                while (length > 0 && skip == 0 && !_closed)
                {
                    var parse = RtspParser.TryRead(new ReadOnlySequence<byte>(buffer, 0, length), out var request, out long consumed,
                        out string? problem);
                    if (parse == RtspParse.NeedMore)
                    {
                        // An interleaved packet longer than the buffer is skipped as it streams in.
                        if (length == buffer.Length && buffer[0] == (byte)'$')
                        {
                            skip = 4 + (buffer[2] << 8 | buffer[3]) - length;
                            length = 0;
                        }
                        else if (length == buffer.Length)
                        {
                            await Refuse("the request is too large");
                        }
                        break;
                    }
                    if (parse == RtspParse.Invalid)
                    {
                        await Refuse(problem!);
                        break;
                    }
                    _lastRequestAt = _server.Time.GetTimestamp();
                    // Whole: what follows it in the buffer is timed from the next read.
                    _partialSince = 0;
                    if (parse == RtspParse.Interleaved) Touch();
                    else
                    {
                        _handling = true;
                        try { await Handle(request!); }
                        finally { _handling = false; }
                        _answered = true;
                        _lastRequestAt = _server.Time.GetTimestamp();
                    }
                    Consume(buffer, ref length, (int)consumed);
                }
                if (length == 0 && skip == 0) _partialSince = 0;
                else if (_partialSince == 0) _partialSince = _server.Time.GetTimestamp();
            }
        }
        catch (OperationCanceledException) { }
        catch (Exception e) when (e is SocketException or ObjectDisposedException) { }
        finally
        {
            Close(null);
        }
    }

    private static void Consume(byte[] buffer, ref int length, int count)
    {
        buffer.AsSpan(count, length - count).CopyTo(buffer);
        length -= count;
    }

    private void Touch()
    {
        if (_session != null) _session.LastActivity = _server.Time.GetTimestamp();
    }

    /// <summary>
    /// Closes a connection whose request trickles in (slowloris), one that sends no request within
    /// <paramref name="requestTimeout"/>, one that has not logged in and stays silent as long (so
    /// peers without credentials cannot hold slots), or a logged-in one without a session that stays
    /// silent for <paramref name="idleTimeout"/>.
    /// </summary>
    internal void CheckTimeouts(long now, TimeSpan requestTimeout, TimeSpan idleTimeout)
    {
        // A request being handled (a DESCRIBE waiting for the first frame) is never cut off.
        if (_handling) return;
        if (_partialSince != 0 && _server.Time.GetElapsedTime(_partialSince, now) > requestTimeout)
            _server.Refused(this, $"a request did not arrive whole within {requestTimeout.TotalSeconds:0} s");
        else if (_session == null && !_answered && _server.Time.GetElapsedTime(_lastRequestAt, now) > requestTimeout)
            _server.Refused(this, $"no request within {requestTimeout.TotalSeconds:0} s");
        else if (_session == null && !Authenticated && _server.Time.GetElapsedTime(_lastRequestAt, now) > requestTimeout)
            _server.Refused(this, $"no login within {requestTimeout.TotalSeconds:0} s of its last request");
        else if (_session == null && _answered && _server.Time.GetElapsedTime(_lastRequestAt, now) > idleTimeout)
            _server.Refused(this, $"silent for {idleTimeout.TotalSeconds:0} s without a session");
        else
            return;
        Close(null);
    }

    private async Task Refuse(string problem)
    {
        _server.Refused(this, "a bad request: " + problem);
        await Respond(null, 400, "Bad Request", [], null);
        Close(null);
    }

    private async Task Handle(RtspRequest request)
    {
        Touch();
        string? cseq = request.CSeq;
        if (cseq == null)
        {
            await Respond(null, 400, "Bad Request", [], null);
            return;
        }
        if (request.Method == "OPTIONS")
        {
            await Respond(cseq, 200, "OK", [("Public", Methods)], null);
            return;
        }
        if (!await Authorized(request, cseq)) return;
        switch (request.Method)
        {
            case "DESCRIBE": await Describe(request, cseq); break;
            case "SETUP": await Setup(request, cseq); break;
            case "PLAY": await Play(request, cseq); break;
            case "PAUSE":
                if (await Session(request, cseq) is { } paused)
                {
                    paused.Pause();
                    await Respond(cseq, 200, "OK", [("Session", paused.Id)], null);
                }
                break;
            case "TEARDOWN":
                if (await Session(request, cseq) is { } ended)
                {
                    EndSession("torn down");
                    await Respond(cseq, 200, "OK", [("Session", ended.Id)], null);
                }
                break;
            case "GET_PARAMETER" or "SET_PARAMETER":
                await Respond(cseq, 200, "OK", _session == null ? [] : [("Session", _session.Id)], null);
                break;
            default:
                await Respond(cseq, 501, "Not Implemented", [("Public", Methods)], null);
                break;
        }
    }

    private async Task<bool> Authorized(RtspRequest request, string cseq)
    {
        string? authorization = request.Header("Authorization");
        bool stale = false;
        var result = authorization != null && authorization.StartsWith("Digest ", StringComparison.OrdinalIgnoreCase)
            ? _server.Auth.AuthenticateDigest(RemoteAddress, authorization, request.Method, out stale)
            : await _server.Auth.Authenticate(RemoteAddress, authorization, null);
        switch (result.Outcome)
        {
            case AuthOutcome.Allowed:
                Authenticated = true;
                return true;
            case AuthOutcome.Throttled or AuthOutcome.Busy:
                await Respond(cseq, 503, "Service Unavailable",
                    [("Retry-After", Math.Max(1, Math.Ceiling(result.RetryAfter.TotalSeconds)).ToString())], null);
                return false;
            default:
                var challenges = new List<(string, string)>();
                foreach (var challenge in _server.Auth.Challenges(stale)) challenges.Add(("WWW-Authenticate", challenge));
                await Respond(cseq, 401, "Unauthorized", [.. challenges], null);
                return false;
        }
    }

    private async Task Describe(RtspRequest request, string cseq)
    {
        if (await Track(request, cseq) is not { } track) return;
        string? h264 = null;
        if (track == RtspTrack.H264 && (h264 = await _server.H264Parameters()) == null)
        {
            await Respond(cseq, 503, "Service Unavailable", [], null);
            return;
        }
        string baseUri = BaseUri(request.Uri);
        var local = (_socket.LocalEndPoint as IPEndPoint)?.Address ?? IPAddress.Any;
        byte[] sdp = Encoding.ASCII.GetBytes(Sdp.Describe(local, _server.SessionVersion, _server.Fps, h264));
        await Respond(cseq, 200, "OK", [("Content-Base", baseUri), ("Content-Type", "application/sdp")], sdp);
    }

    private async Task Setup(RtspRequest request, string cseq)
    {
        if (await Track(request, cseq) is not { } track) return;
        var transport = RtspTransport.Parse(request.Header("Transport"));
        if (transport == null)
        {
            await Respond(cseq, 461, "Unsupported Transport", [], null);
            return;
        }
        if (_session != null)
        {
            // One stream per connection: a second SETUP on the same session changes nothing.
            await Respond(cseq, 459, "Aggregate Operation Not Allowed", [("Session", _session.Id)], null);
            return;
        }
        var session = _server.TryCreateSession(this, track, transport);
        if (session == null)
        {
            await Respond(cseq, 453, "Not Enough Bandwidth", [], null);
            return;
        }
        _session = session;
        string reply = transport.Tcp
            ? $"RTP/AVP/TCP;unicast;interleaved={transport.RtpChannel}-{transport.RtcpChannel};ssrc={session.Ssrc:X8}"
            : $"RTP/AVP;unicast;client_port={transport.ClientRtpPort}-{transport.ClientRtcpPort};" +
                $"server_port={_server.UdpPorts.Rtp}-{_server.UdpPorts.Rtcp};ssrc={session.Ssrc:X8}";
        session.Report(_logger, $"set up for {RemoteAddress}");
        await Respond(cseq, 200, "OK",
            [("Transport", reply), ("Session", $"{session.Id};timeout={_server.Settings.SessionTimeoutSeconds}")], null);
    }

    private async Task Play(RtspRequest request, string cseq)
    {
        if (await Session(request, cseq) is not { } session) return;
        var (sequence, timestamp) = session.Next;
        string trackUri = BaseUri(request.Uri) + "track1";
        await Respond(cseq, 200, "OK",
            [("Session", session.Id), ("Range", "npt=0.000-"), ("RTP-Info", $"url={trackUri};seq={sequence};rtptime={timestamp}")], null);
        session.Play();
    }

    private async Task<RtspSession?> Session(RtspRequest request, string cseq)
    {
        string? id = request.Header("Session")?.Split(';')[0].Trim();
        if (_session != null && id == _session.Id) return _session;
        await Respond(cseq, 454, "Session Not Found", [], null);
        return null;
    }

    // The stream a URI names: rtsp://host[:port]/stream[/track1] is JPEG, /h264 is H.264.
    private async Task<RtspTrack?> Track(RtspRequest request, string cseq)
    {
        string path = System.Uri.TryCreate(request.Uri, UriKind.Absolute, out var uri) ? uri.AbsolutePath : request.Uri;
        path = path.TrimEnd('/');
        if (path.EndsWith("/track1", StringComparison.Ordinal)) path = path[..^"/track1".Length];
        RtspTrack? track = path switch { "/stream" => RtspTrack.Jpeg, "/h264" => RtspTrack.H264, _ => null };
        if (track == null)
        {
            await Respond(cseq, 404, "Not Found", [], null);
            return null;
        }
        if (_server.Unavailable(track.Value) is { } reason)
        {
            Log.TrackRefused(_logger, path, RemoteAddress, reason);
            await Respond(cseq, 404, "Not Found", [], null);
            return null;
        }
        return track;
    }

    private static string BaseUri(string requestUri)
    {
        string uri = requestUri.TrimEnd('/');
        if (uri.EndsWith("/track1", StringComparison.Ordinal)) uri = uri[..^"/track1".Length];
        return uri + "/";
    }

    private Task Respond(string? cseq, int status, string reason, (string Name, string Value)[] headers, byte[]? body)
    {
        var text = new StringBuilder();
        text.Append($"RTSP/1.0 {status} {reason}\r\n");
        if (cseq != null) text.Append($"CSeq: {cseq}\r\n");
        text.Append("Server: Edge\r\n");
        foreach (var (name, value) in headers) text.Append($"{name}: {value}\r\n");
        if (body != null) text.Append($"Content-Length: {body.Length}\r\n");
        text.Append("\r\n");
        byte[] head = Encoding.ASCII.GetBytes(text.ToString());
        return Send([new ArraySegment<byte>(body == null ? head : [.. head, .. body])]);
    }

    /// <summary>Writes after everything queued before it; a write that takes over 10 s closes the connection.</summary>
    public Task Send(IList<ArraySegment<byte>> segments)
    {
        _queuedSends++;
        return _sends.Then(static s => s.Self.SendNow(s.Segments), (Self: this, Segments: segments));
    }

    private async Task SendNow(IList<ArraySegment<byte>> segments)
    {
        try
        {
            if (_closed) throw new ObjectDisposedException(nameof(RtspConnection));
            using var watchdog = _server.Loop.CreateTimer(() => Close("a write took longer than 10 s"), SendTimeout,
                Timeout.InfiniteTimeSpan);
            await _socket.SendAsync(segments, SocketFlags.None);
        }
        finally
        {
            _queuedSends--;
        }
    }

    /// <summary>An interleaved RTCP packet on <paramref name="channel"/>.</summary>
    public void SendControl(int channel, ReadOnlySpan<byte> packet)
    {
        byte[] framed = new byte[4 + packet.Length];
        framed[0] = (byte)'$';
        framed[1] = (byte)channel;
        framed[2] = (byte)(packet.Length >> 8);
        framed[3] = (byte)packet.Length;
        packet.CopyTo(framed.AsSpan(4));
        _ = Send([new ArraySegment<byte>(framed)]).ContinueWith(static t => _ = t.Exception, TaskScheduler.Default);
    }

    internal void EndSession(string why)
    {
        if (_session == null) return;
        _session.Report(_logger, why);
        _server.RemoveSession(_session);
        _session.Dispose();
        _session = null;
    }

    /// <summary>Ends the session and the connection (idempotent).</summary>
    public void Close(string? why)
    {
        if (_closed) return;
        _closed = true;
        if (why != null) Log.Closed(_logger, RemoteAddress, why);
        EndSession(why ?? "ended with its connection");
        _closing.Cancel();
        try { _socket.Shutdown(SocketShutdown.Both); }
        catch (SocketException) { }
        _socket.Dispose();
        Entry.Dispose();
        _server.Forget(this);
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "RTSP {Path} refused to {Address}: {Reason}")]
        public static partial void TrackRefused(ILogger logger, string path, System.Net.IPAddress? address, string reason);

        [LoggerMessage(Level = LogLevel.Warning, Message = "RTSP connection from {Address} closed: {Why}")]
        public static partial void Closed(ILogger logger, System.Net.IPAddress? address, string why);
    }
}
