using Edge.Runtime;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;

namespace Edge.Web;

/// <summary>
/// Counts the TCP connections open on Kestrel's listeners (WebSocket and MJPEG clients included) and
/// enters each in the <see cref="ConnectionTable"/> with its socket, as a connection middleware on
/// every endpoint: <c>listenOptions.Use(counter.Wrap("http"))</c>.
/// </summary>
public sealed class HttpConnectionCounter(ConnectionTable table)
{
    private int _open;

    /// <summary>Connections open now. Safe to read from any thread.</summary>
    public int Open => Volatile.Read(ref _open);

    /// <param name="kind">"http" or "https".</param>
    public Func<ConnectionDelegate, ConnectionDelegate> Wrap(string kind) => next => connection =>
    {
        Interlocked.Increment(ref _open);
        var entry = table.Open(connection.ConnectionId, kind, connection.RemoteEndPoint);
        entry.Socket = connection.Features.Get<IConnectionSocketFeature>()?.Socket;
        // A continuation rather than an async lambda: native AOT compiles every async state machine
        // separately, and this one would only count down.
        var served = next(connection);
        served.ContinueWith(static (_, s) =>
        {
            var (counter, entry) = ((HttpConnectionCounter, ConnectionEntry))s!;
            entry.Dispose();
            Interlocked.Decrement(ref counter._open);
        }, (this, entry), TaskScheduler.Default);
        return served;
    };
}
