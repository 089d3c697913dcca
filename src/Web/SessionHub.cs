using System.Net.WebSockets;
using Edge.Api;
using Edge.Runtime;
using Edge.State;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Edge.Web;

/// <summary>
/// All WebSocket <c>/api</c> sessions: admission (at most <see cref="WebSocketSettings.MaxClients"/>,
/// counted here because Kestrel's own limit drops sockets without an answer), state fan-out, the
/// stalled-socket watchdog and shutdown. Loop only.
/// </summary>
public sealed class SessionHub : IDisposable
{
    private readonly EventLoop _loop;
    private readonly ApiDispatcher _dispatcher;
    private readonly StateStore _state;
    private readonly ILogger _logger;
    // Copy-on-write, so a session that ends while a broadcast runs cannot disturb the iteration.
    private WebSocketSession[] _sessions = [];
    private WebSocketSettings _settings;
    private int _admitted;
    private ITimer? _watchdog;
    private bool _closing;

    public SessionHub(EventLoop loop, ApiDispatcher dispatcher, StateStore state, WebSocketSettings settings, ILogger logger)
    {
        _loop = loop;
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
        _watchdog ??= _loop.CreateTimer(CheckStalled, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    /// <summary>Sessions open or being opened.</summary>
    public int Count => _admitted;

    /// <summary>New limits for sessions opened from now on (SIGHUP); open sessions are kept.</summary>
    public void Apply(WebSocketSettings settings) => _settings = settings;

    /// <summary>Serves one upgrade request on <c>/api</c> until the session ends. Loop only.</summary>
    public async Task Serve(HttpContext context, string? user)
    {
        _loop.VerifyAccess();
        if (_closing || _admitted >= _settings.MaxClients)
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            context.Response.Headers.RetryAfter = "5";
            context.Response.ContentType = "text/plain; charset=utf-8";
            await context.Response.WriteAsync("Server busy");
            return;
        }
        _admitted++;
        PublishCount();
        try
        {
            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            var session = new WebSocketSession(socket, _loop, _dispatcher, _state, user, _settings.MaxMessageBytes, _logger);
            _sessions = [.. _sessions, session];
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
    public void CloseAll(WebSocketCloseStatus status, string reason)
    {
        _loop.VerifyAccess();
        _closing = true;
        foreach (var session in _sessions) session.Close(status, reason);
    }

    public void Dispose() => _watchdog?.Dispose();

    private void Broadcast(StateEntry entry)
    {
        foreach (var session in _sessions) session.Offer(entry);
    }

    private void CheckStalled()
    {
        long limit = _settings.SendTimeoutSeconds;
        foreach (var session in _sessions)
        {
            long started = session.SendStartedAt;
            if (started != 0 && _loop.Time.GetElapsedTime(started).TotalSeconds >= limit)
            {
                _logger.LogWarning("Closing a WebSocket client that accepted no data for {Seconds} s", limit);
                session.Abort();
            }
        }
    }

    private void PublishCount() => _state.Publish("system.websocket_clients", _admitted, StateJsonContext.Default.Int32);
}
