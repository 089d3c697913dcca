using Edge.Api;
using Edge.Runtime;
using Edge.State;
using Edge.Web.WebSockets;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Edge.Web;

/// <summary>
/// All WebSocket <c>/api</c> sessions: admission (at most <see cref="WebSocketSettings.MaxClients"/>,
/// counted here because Kestrel's own limit drops sockets without an answer), state fan-out, the
/// stalled-socket watchdog and shutdown. Loop only.
/// </summary>
public sealed partial class SessionHub : IDisposable
{
    private readonly EventLoop _loop;
    private readonly ApiDispatcher _dispatcher;
    private readonly StateStore _state;
    private readonly ILogger _logger;
    // Copy-on-write, so a session that ends while a broadcast runs cannot disturb the iteration.
    private WebSocketSession[] _sessions = [];
    private WebSocketSettings _settings;
    private int _admitted;
    private long _ticks;
    private static readonly TimeSpan PingInterval = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan SilenceLimit = TimeSpan.FromSeconds(75);
    private IDisposable? _watchdog;
    private bool _closing;

    private readonly ConnectionTable _connections;

    public SessionHub(EventLoop loop, ApiDispatcher dispatcher, StateStore state, WebSocketSettings settings, ConnectionTable connections,
        ILogger logger)
    {
        _loop = loop;
        _connections = connections;
        _dispatcher = dispatcher;
        _state = state;
        _settings = settings;
        _logger = logger;
        state.Changed += Broadcast;
    }

    /// <summary>Publishes the initial client count and starts the stalled-socket watchdog. Loop only.</summary>
    public void Start()
    {
        _loop.VerifyAccess();
        PublishCount();
        _watchdog ??= _loop.Heartbeat.Subscribe(CheckStalled);
    }

    /// <summary>Sessions open or being opened.</summary>
    public int Count => _admitted;

    /// <summary>
    /// New limits (SIGHUP): MaxClients and MaxMessageBytes apply to sessions opened from now on,
    /// SendTimeoutSeconds at once; open sessions are kept.
    /// </summary>
    public void Apply(WebSocketSettings settings) => _settings = settings;

    /// <summary>Serves one upgrade request on <c>/api</c> until the session ends. Loop only.</summary>
    public async Task Serve(HttpContext context, string? user)
    {
        _loop.VerifyAccess();
        if (WebSocketHandshake.Validate(context) is { } invalid)
        {
            await PlainText.Write(context, invalid.Status, invalid.Message);
            return;
        }
        if (_closing || _admitted >= _settings.MaxClients)
        {
            context.Response.Headers.RetryAfter = "5";
            await PlainText.Write(context, StatusCodes.Status503ServiceUnavailable, "Server busy");
            return;
        }
        _admitted++;
        PublishCount();
        try
        {
            var stream = await WebSocketHandshake.Accept(context);
            var session = new WebSocketSession(context, stream, _loop, _dispatcher, _state, user, _settings.MaxMessageBytes, _logger);
            _sessions = [.. _sessions, session];
            using var exchange = _connections.Find(context.Connection.Id)?.Serve("websocket", () => session.Pending,
                () => user == null ? "anonymous" : "user " + user);
            // Shutdown began while the handshake was being answered.
            if (_closing) session.Close(WebSocketFrames.GoingAway, "Server shutting down");
            try
            {
                await session.Run(context.RequestAborted);
            }
            finally
            {
                _sessions = Array.FindAll(_sessions, s => s != session);
            }
        }
        finally
        {
            _admitted--;
            PublishCount();
        }
    }

    /// <summary>Asks every client to close (1001 on shutdown); refuses new sessions from now on.</summary>
    public void CloseAll(ushort code, string reason)
    {
        _loop.VerifyAccess();
        _closing = true;
        foreach (var session in _sessions) session.Close(code, reason);
    }

    public void Dispose() => _watchdog?.Dispose();

    private void Broadcast(StateEntry entry)
    {
        // Framed once, on the first interested session, and the same bytes go to all of them.
        byte[]? frame = null;
        foreach (var session in _sessions)
            if (session.Wants(entry.Key)) session.Push(entry.Key, frame ??= WebSocketFrames.Build(WebSocketFrames.Text, entry.PushMessage));
    }

    // Once a second: drop clients whose socket stopped taking data or who stopped answering pings;
    // every PingInterval, ping everyone so that silence means a dead peer.
    private void CheckStalled()
    {
        long limit = _settings.SendTimeoutSeconds;
        bool ping = ++_ticks % (int)PingInterval.TotalSeconds == 0;
        foreach (var session in _sessions)
        {
            long started = session.SendStartedAt;
            if (started != 0 && _loop.Time.GetElapsedTime(started).TotalSeconds >= limit)
            {
                Log.SendStalled(_logger, limit);
                session.Abort();
            }
            else if (_loop.Time.GetElapsedTime(session.LastReceivedAt) > SilenceLimit)
            {
                Log.PingUnanswered(_logger, SilenceLimit.TotalSeconds);
                session.Abort();
            }
            else if (ping)
            {
                session.Ping();
            }
        }
    }

    private void PublishCount() => _state.Publish("system.websocket_clients", _admitted, StateJsonContext.Default.Int32);

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Closing a WebSocket client that accepted no data for {Seconds} s")]
        public static partial void SendStalled(ILogger logger, long seconds);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Closing a WebSocket client that answered no ping for {Seconds} s")]
        public static partial void PingUnanswered(ILogger logger, double seconds);
    }
}
