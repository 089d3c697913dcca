using System.Buffers;
using System.Text.Unicode;
using Edge.Api;
using Edge.Runtime;
using Edge.State;
using Edge.Web.WebSockets;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Edge.Web;

/// <summary>
/// One client on WebSocket <c>/api</c>, living on the event loop. Requests are answered in order. The
/// outbound side holds control frames, a bounded queue of replies and at most one pending push per
/// state key (the newest value replaces an unsent older one); a pump writes them whenever there is
/// something to send and the previous write has finished, so a stalled socket only ever delays its
/// own client, and a broadcast costs each idle client one write and no queue hop.
/// </summary>
public sealed partial class WebSocketSession : IApiSession
{
    /// <summary>Replies waiting to be sent before the session stops reading requests.</summary>
    public const int MaxPendingReplies = 16;

    /// <summary>Prefixes one session may subscribe to (every broadcast checks them all).</summary>
    public const int MaxPrefixes = 64;
    private const int MaxBatchBytes = 64 * 1024;
    private static readonly TimeSpan CloseHandshakeTimeout = TimeSpan.FromSeconds(2);
    private static readonly byte[] PingFrame = WebSocketFrames.Build(WebSocketFrames.Ping, []);

    private readonly HttpContext _context;
    private readonly Stream _stream;
    private readonly EventLoop _loop;
    private readonly ApiDispatcher _dispatcher;
    private readonly StateStore _state;
    private readonly ApiCaller _caller;
    private readonly int _maxMessageBytes;
    private readonly ILogger _logger;
    // Control frames: at most one pong (the newest; RFC 6455 §5.5.3 allows dropping older ones) and one ping.
    private byte[]? _pong;
    private bool _pingPending;
    private readonly Queue<byte[]> _replies = new();
    private readonly Dictionary<string, byte[]> _pushes = new(StringComparer.Ordinal);
    private readonly Queue<string> _pushOrder = new();
    private readonly List<string> _prefixes = [];
    private Task _pump = Task.CompletedTask;
    private bool _pumping, _closeQueued, _closeSent, _failed;
    private byte[]? _closeFrame;
    private TaskCompletionSource? _room;
    private ITimer? _closeTimer;

    public WebSocketSession(HttpContext context, Stream stream, EventLoop loop, ApiDispatcher dispatcher, StateStore state, string? user,
        int maxMessageBytes, ILogger logger)
    {
        _context = context;
        _stream = stream;
        _loop = loop;
        _dispatcher = dispatcher;
        _state = state;
        _caller = new ApiCaller(user, this);
        _maxMessageBytes = maxMessageBytes;
        _logger = logger;
        LastReceivedAt = loop.Time.GetTimestamp();
    }

    /// <summary>When the write in progress started (<see cref="TimeProvider.GetTimestamp"/>), or 0 while none is.</summary>
    public long SendStartedAt { get; private set; }

    /// <summary>Replies and state pushes waiting to be sent.</summary>
    public int Pending => _replies.Count + _pushOrder.Count;

    /// <summary>When the client last sent anything (a pong counts).</summary>
    public long LastReceivedAt { get; private set; }

    /// <summary>Runs until the client leaves, the connection fails or the session is closed or aborted.</summary>
    public async Task Run(CancellationToken cancellationToken)
    {
        using var reader = new WebSocketReader(_stream, _maxMessageBytes);
        try
        {
            await ReceiveLoop(reader, cancellationToken);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
            // The client went away or was aborted: an ordinary end for a session.
            Log.Ended(_logger, e.Message);
            Abort();
        }
        finally
        {
            // A close frame still being written goes out before the request (and the connection) ends.
            await _pump;
            _closeTimer?.Dispose();
            _room?.TrySetCanceled();
        }
    }

    /// <summary>Starts the close handshake; the connection is dropped if the client has not answered within 2 s.</summary>
    public void Close(ushort code, string reason)
    {
        if (_closeQueued) return;
        _closeQueued = true;
        _closeFrame = WebSocketFrames.BuildClose(code, reason);
        _closeTimer = _loop.CreateTimer(Abort, CloseHandshakeTimeout, Timeout.InfiniteTimeSpan);
        Kick();
    }

    /// <summary>Drops the connection at once (no close handshake).</summary>
    public void Abort()
    {
        _failed = true;
        _context.Abort();
        // A receive loop waiting for reply room would otherwise wait forever: no more replies are taken.
        _room?.TrySetException(new OperationCanceledException("The WebSocket session was aborted."));
    }

    /// <summary>Sends a ping; the client's pong refreshes <see cref="LastReceivedAt"/>.</summary>
    public void Ping()
    {
        _pingPending = true;
        Kick();
    }

    /// <summary>True when the client subscribed to a prefix of <paramref name="key"/>.</summary>
    public bool Wants(string key)
    {
        foreach (var prefix in _prefixes)
            if (key.StartsWith(prefix, StringComparison.Ordinal)) return true;
        return false;
    }

    /// <summary>Queues an already framed state push, replacing an unsent one of the same key.</summary>
    public void Push(string key, byte[] frame)
    {
        if (_pushes.TryAdd(key, frame)) _pushOrder.Enqueue(key);
        else _pushes[key] = frame;
        Kick();
    }

    public IReadOnlyCollection<string> Subscribe(IEnumerable<string> prefixes)
    {
        var added = new List<string>();
        foreach (var prefix in prefixes)
        {
            if (_prefixes.Contains(prefix) || added.Contains(prefix)) continue;
            if (prefix.Length > StateStore.MaxKeyLength)
                throw ApiException.InvalidParams($"Prefixes are at most {StateStore.MaxKeyLength} characters long.");
            if (_prefixes.Count + added.Count >= MaxPrefixes)
                throw new ApiException(ApiErrorCode.LimitExceeded, $"A session can subscribe to at most {MaxPrefixes} prefixes.");
            added.Add(prefix);
        }
        _prefixes.AddRange(added);
        // Current values follow the reply (a later loop item), so the client sees the reply first.
        if (added.Count > 0) _loop.Post(() => SendCurrentValues(added));
        return _prefixes.ToArray();
    }

    public IReadOnlyCollection<string> Unsubscribe(IEnumerable<string> prefixes)
    {
        foreach (var prefix in prefixes) _prefixes.Remove(prefix);
        return _prefixes.ToArray();
    }

    private void SendCurrentValues(List<string> prefixes)
    {
        foreach (var entry in _state.Entries)
            if (prefixes.Exists(p => entry.Key.StartsWith(p, StringComparison.Ordinal)) && Wants(entry.Key))
                Push(entry.Key, WebSocketFrames.Build(WebSocketFrames.Text, entry.PushMessage));
    }

    private async Task ReceiveLoop(WebSocketReader reader, CancellationToken cancellationToken)
    {
        while (true)
        {
            var message = await reader.Read(cancellationToken);
            LastReceivedAt = _loop.Time.GetTimestamp();
            if (_closeQueued && message.Kind is not (WebSocketMessageKind.Close or WebSocketMessageKind.EndOfStream
                or WebSocketMessageKind.ProtocolError))
                continue; // Closing: only the client's close frame matters now; requests are not run.
            byte[] reply;
            switch (message.Kind)
            {
                case WebSocketMessageKind.EndOfStream:
                    // The client closed TCP without a close frame: nobody is left to read what is queued.
                    Abort();
                    return;
                case WebSocketMessageKind.ProtocolError:
                    Log.ProtocolError(_logger, message.Error);
                    Close(message.CloseCode, message.Error!);
                    return;
                case WebSocketMessageKind.Close:
                    Close(message.CloseCode is WebSocketFrames.NormalClosure or WebSocketFrames.GoingAway
                        ? message.CloseCode
                        : WebSocketFrames.NormalClosure, "");
                    return;
                case WebSocketMessageKind.Ping:
                    _pong = WebSocketFrames.Build(WebSocketFrames.Pong, message.Payload.Span);
                    Kick();
                    continue;
                case WebSocketMessageKind.Pong:
                    continue;
                case WebSocketMessageKind.TooBig:
                    reply = ApiDispatcher.Error(default, ApiErrorCode.LimitExceeded, $"Messages are limited to {_maxMessageBytes} bytes.");
                    break;
                case WebSocketMessageKind.Binary:
                    reply = ApiDispatcher.Error(default, ApiErrorCode.InvalidRequest, "Requests are text messages holding JSON.");
                    break;
                default:
                    if (!Utf8.IsValid(message.Payload.Span))
                    {
                        Close(WebSocketFrames.InvalidPayload, "text message is not valid UTF-8");
                        return;
                    }
                    reply = await _dispatcher.Dispatch(message.Payload, _caller);
                    break;
            }
            if (_closeQueued) return;
            while (_replies.Count >= MaxPendingReplies)
            {
                // The client is not reading its replies: stop reading its requests until it does.
                _room = new TaskCompletionSource();
                await _room.Task;
            }
            _replies.Enqueue(WebSocketFrames.Build(WebSocketFrames.Text, reply));
            Kick();
        }
    }

    private void Kick()
    {
        if (_pumping || _closeSent || _failed) return;
        _pumping = true;
        _pump = Pump();
    }

    // Runs inline until a write has to wait; never throws (a failed write aborts the connection).
    private async Task Pump()
    {
        try
        {
            while (!_failed && TryTakeBatch(out var batch, out var pooled, out bool isClose))
            {
                SendStartedAt = _loop.Time.GetTimestamp();
                try
                {
                    await _stream.WriteAsync(batch);
                }
                finally
                {
                    SendStartedAt = 0;
                    if (pooled != null) ArrayPool<byte>.Shared.Return(pooled);
                }
                if (isClose)
                {
                    _closeSent = true;
                    return;
                }
            }
        }
        catch (Exception e)
        {
            Log.WriteFailed(_logger, e.Message);
            Abort();
        }
        finally
        {
            _pumping = false;
        }
    }

    // The next bytes to write: control frames first, then replies, then pushes; several small frames
    // are joined into one write. A close frame goes alone and last.
    private bool TryTakeBatch(out ReadOnlyMemory<byte> batch, out byte[]? pooled, out bool isClose)
    {
        pooled = null;
        isClose = false;
        if (_closeQueued)
        {
            _pushes.Clear();
            _pushOrder.Clear();
            if (_pong == null && !_pingPending && _replies.Count == 0)
            {
                isClose = true;
                batch = _closeFrame;
                return true;
            }
        }
        if (!TryTakeFrame(out var first))
        {
            batch = default;
            return false;
        }
        if (!HasMore() || first.Length >= MaxBatchBytes)
        {
            batch = first;
            return true;
        }
        pooled = ArrayPool<byte>.Shared.Rent(MaxBatchBytes);
        first.CopyTo(pooled, 0);
        int length = first.Length;
        while (HasMore() && PeekLength() <= MaxBatchBytes - length && TryTakeFrame(out var next))
        {
            next.CopyTo(pooled, length);
            length += next.Length;
        }
        batch = pooled.AsMemory(0, length);
        return true;
    }

    private bool HasMore() => _pong != null || _pingPending || _replies.Count > 0 || _pushOrder.Count > 0;

    private int PeekLength()
        => _pong?.Length
            ?? (_pingPending ? PingFrame.Length : _replies.Count > 0 ? _replies.Peek().Length : _pushes[_pushOrder.Peek()].Length);

    private bool TryTakeFrame(out byte[] frame)
    {
        if (_pong != null)
        {
            frame = _pong;
            _pong = null;
            return true;
        }
        if (_pingPending)
        {
            frame = PingFrame;
            _pingPending = false;
            return true;
        }
        if (_replies.TryDequeue(out frame!))
        {
            var room = _room;
            _room = null;
            room?.TrySetResult();
            return true;
        }
        if (_pushOrder.TryDequeue(out var key))
        {
            _pushes.Remove(key, out frame!);
            return true;
        }
        return false;
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Debug, Message = "WebSocket session ended: {Message}")]
        public static partial void Ended(ILogger logger, string message);

        [LoggerMessage(Level = LogLevel.Debug, Message = "WebSocket protocol error: {Error}")]
        public static partial void ProtocolError(ILogger logger, string? error);

        [LoggerMessage(Level = LogLevel.Debug, Message = "WebSocket write failed: {Message}")]
        public static partial void WriteFailed(ILogger logger, string message);
    }
}
