using System.Buffers;
using System.Net.WebSockets;
using Edge.Api;
using Edge.Runtime;
using Edge.State;
using Microsoft.Extensions.Logging;

namespace Edge.Web;

/// <summary>
/// One client on WebSocket <c>/api</c>, living on the event loop. Requests are answered in order; the
/// outbound side is a bounded queue of replies plus at most one pending push per state key (the
/// newest value replaces an unsent older one), drained by one sender so a stalled socket only ever
/// delays its own client.
/// </summary>
public sealed class WebSocketSession : IApiSession
{
    /// <summary>Replies waiting to be sent before the session stops reading requests.</summary>
    public const int MaxPendingReplies = 16;
    private static readonly TimeSpan CloseHandshakeTimeout = TimeSpan.FromSeconds(2);

    private readonly WebSocket _socket;
    private readonly EventLoop _loop;
    private readonly ApiDispatcher _dispatcher;
    private readonly StateStore _state;
    private readonly ApiCaller _caller;
    private readonly int _maxMessageBytes;
    private readonly ILogger _logger;
    private readonly Queue<byte[]> _replies = new();
    private readonly Dictionary<string, byte[]> _pushes = new(StringComparer.Ordinal);
    private readonly Queue<string> _pushOrder = new();
    private readonly List<string> _prefixes = [];
    private readonly TaskCompletionSource _receiveEnded = new();
    private TaskCompletionSource? _outboxSignal;
    private TaskCompletionSource? _roomSignal;
    private (WebSocketCloseStatus Status, string Reason)? _close;

    public WebSocketSession(WebSocket socket, EventLoop loop, ApiDispatcher dispatcher, StateStore state, string? user, int maxMessageBytes, ILogger logger)
    {
        _socket = socket;
        _loop = loop;
        _dispatcher = dispatcher;
        _state = state;
        _caller = new ApiCaller(user, this);
        _maxMessageBytes = maxMessageBytes;
        _logger = logger;
    }

    /// <summary>When the send in progress started (<see cref="TimeProvider.GetTimestamp"/>), or 0 while none is.</summary>
    public long SendStartedAt { get; private set; }

    /// <summary>Runs until the client leaves, the socket fails or the session is closed or aborted.</summary>
    public async Task Run(CancellationToken cancellationToken)
    {
        await using var group = new TaskGroup(TaskGroupPolicy.FailFast, _logger, cancellationToken);
        group.Spawn(ReceiveLoop, "ws-receive");
        group.Spawn(SendLoop, "ws-send");
        try
        {
            await group.WhenAll();
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            // The client went away or was aborted: an ordinary end for a session.
            _logger.LogDebug("WebSocket session ended: {Message}", e.Message);
        }
    }

    /// <summary>Starts the close handshake; the session ends when the client answers or after a short timeout.</summary>
    public void Close(WebSocketCloseStatus status, string reason)
    {
        _close ??= (status, reason);
        Wake(ref _outboxSignal);
    }

    /// <summary>Drops the connection at once (no close handshake).</summary>
    public void Abort() => _socket.Abort();

    /// <summary>Queues a state change if this session subscribed to its key.</summary>
    public void Offer(StateEntry entry)
    {
        if (Wants(entry.Key)) EnqueuePush(entry);
    }

    public IReadOnlyCollection<string> Subscribe(IEnumerable<string> prefixes)
    {
        var added = new List<string>();
        foreach (var prefix in prefixes)
            if (!_prefixes.Contains(prefix)) { _prefixes.Add(prefix); added.Add(prefix); }
        // New subscribers get the current values first, so they never start from nothing.
        foreach (var entry in _state.Entries)
            if (added.Exists(p => entry.Key.StartsWith(p, StringComparison.Ordinal))) EnqueuePush(entry);
        return _prefixes.ToArray();
    }

    public IReadOnlyCollection<string> Unsubscribe(IEnumerable<string> prefixes)
    {
        foreach (var prefix in prefixes) _prefixes.Remove(prefix);
        return _prefixes.ToArray();
    }

    private bool Wants(string key)
    {
        foreach (var prefix in _prefixes)
            if (key.StartsWith(prefix, StringComparison.Ordinal)) return true;
        return false;
    }

    private void EnqueuePush(StateEntry entry)
    {
        if (_pushes.TryAdd(entry.Key, entry.PushMessage)) _pushOrder.Enqueue(entry.Key);
        else _pushes[entry.Key] = entry.PushMessage;
        Wake(ref _outboxSignal);
    }

    private async Task ReceiveLoop(CancellationToken cancellationToken)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(4096);
        try
        {
            while (true)
            {
                int length = 0;
                bool tooBig = false;
                ValueWebSocketReceiveResult result;
                do
                {
                    if (length == buffer.Length && !tooBig)
                    {
                        if (buffer.Length >= _maxMessageBytes) tooBig = true;
                        else buffer = Grow(buffer, Math.Min(buffer.Length * 2, _maxMessageBytes));
                    }
                    // An oversized message is read to its end into the last part of the buffer and thrown away.
                    var target = tooBig ? buffer.AsMemory(buffer.Length / 2) : buffer.AsMemory(length);
                    result = await _socket.ReceiveAsync(target, cancellationToken);
                    if (!tooBig) length += result.Count;
                } while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    Close(_socket.CloseStatus ?? WebSocketCloseStatus.NormalClosure, "");
                    return;
                }
                byte[] reply = tooBig
                    ? ApiDispatcher.Error(default, ApiErrorCode.LimitExceeded, $"Messages are limited to {_maxMessageBytes} bytes.")
                    : result.MessageType == WebSocketMessageType.Binary
                        ? ApiDispatcher.Error(default, ApiErrorCode.InvalidRequest, "Requests are text messages holding JSON.")
                        : await _dispatcher.Dispatch(buffer.AsMemory(0, length), _caller);
                while (_replies.Count >= MaxPendingReplies)
                {
                    // The client is not reading its replies: stop reading its requests until it does.
                    _roomSignal = new TaskCompletionSource();
                    await _roomSignal.Task.WaitAsync(cancellationToken);
                }
                _replies.Enqueue(reply);
                Wake(ref _outboxSignal);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            _receiveEnded.TrySetResult();
        }
    }

    private async Task SendLoop(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (_close is { } close)
            {
                await CloseOutput(close.Status, close.Reason, cancellationToken);
                return;
            }
            if (TryTakeNext(out var message))
            {
                SendStartedAt = _loop.Time.GetTimestamp();
                await _socket.SendAsync(message, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
                SendStartedAt = 0;
                continue;
            }
            _outboxSignal = new TaskCompletionSource();
            await _outboxSignal.Task.WaitAsync(cancellationToken);
        }
    }

    private async Task CloseOutput(WebSocketCloseStatus status, string reason, CancellationToken cancellationToken)
    {
        if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            SendStartedAt = _loop.Time.GetTimestamp();
            await _socket.CloseOutputAsync(status, reason, cancellationToken);
            SendStartedAt = 0;
        }
        // Wait for the client's close frame (the receive loop ends on it), but not forever.
        var delay = _loop.Delay(CloseHandshakeTimeout, cancellationToken);
        if (await Task.WhenAny(_receiveEnded.Task, delay) == delay) _socket.Abort();
    }

    private bool TryTakeNext(out ReadOnlyMemory<byte> message)
    {
        if (_replies.TryDequeue(out var reply))
        {
            message = reply;
            Wake(ref _roomSignal);
            return true;
        }
        if (_pushOrder.TryDequeue(out var key))
        {
            _pushes.Remove(key, out var push);
            message = push;
            return true;
        }
        message = default;
        return false;
    }

    // The waiter resumes in a fresh loop item, never inside the code that woke it: a handler that
    // queues pushes (state.subscribe) still gets its reply out first, and a broadcast is never
    // re-entered by a session that fails mid-send.
    private void Wake(ref TaskCompletionSource? signal)
    {
        var waiting = signal;
        if (waiting == null) return;
        signal = null;
        _loop.Post(static s => ((TaskCompletionSource)s!).TrySetResult(), waiting);
    }

    private static byte[] Grow(byte[] buffer, int size)
    {
        byte[] bigger = ArrayPool<byte>.Shared.Rent(size);
        buffer.AsSpan().CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(buffer);
        return bigger;
    }
}
