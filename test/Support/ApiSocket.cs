using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Edge.Tests.Support;

/// <summary>A test client on WebSocket /api: send requests, read replies and pushes as JSON.</summary>
public sealed class ApiSocket(ClientWebSocket socket) : IDisposable
{
    private int _nextId;

    public ClientWebSocket Socket => socket;

    public Task SendText(string text)
        => socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);

    /// <summary>Sends a request; returns its id.</summary>
    public async Task<int> Send(string method, object? parameters = null)
    {
        int id = Interlocked.Increment(ref _nextId);
        await SendText(JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["id"] = id,
            ["method"] = method,
            ["params"] = parameters,
        }));
        return id;
    }

    /// <summary>Sends a request and reads messages until its reply (pushes before it are skipped).</summary>
    public async Task<JsonElement> Call(string method, object? parameters = null)
    {
        int id = await Send(method, parameters);
        while (true)
        {
            var message = await Receive();
            if (message.TryGetProperty("id", out var replyId) && replyId.ValueKind == JsonValueKind.Number && replyId.GetInt32() == id)
                return message;
        }
    }

    /// <summary>The next message; fails the test if none arrives in time.</summary>
    public async Task<JsonElement> Receive(int timeoutMs = 5000)
    {
        using var cts = new CancellationTokenSource(timeoutMs);
        var buffer = new byte[64 * 1024];
        var text = new MemoryStream();
        WebSocketReceiveResult result;
        do
        {
            try { result = await socket.ReceiveAsync(buffer, cts.Token); }
            catch (OperationCanceledException) { Assert.Fail($"No WebSocket message within {timeoutMs} ms"); throw; }
            if (result.MessageType == WebSocketMessageType.Close)
                throw new WebSocketClosedException(result.CloseStatus, result.CloseStatusDescription);
            text.Write(buffer, 0, result.Count);
        } while (!result.EndOfMessage);
        return JsonDocument.Parse(text.ToArray()).RootElement.Clone();
    }

    /// <summary>Reads until the server's close frame; returns its status.</summary>
    public async Task<WebSocketCloseStatus?> ReceiveClose(int timeoutMs = 5000)
    {
        while (true)
        {
            try { await Receive(timeoutMs); }
            catch (WebSocketClosedException closed) { return closed.Status; }
        }
    }

    public void Dispose() => socket.Dispose();
}

public sealed class WebSocketClosedException(WebSocketCloseStatus? status, string? description)
    : Exception($"WebSocket closed: {status} {description}")
{
    public WebSocketCloseStatus? Status { get; } = status;
}
