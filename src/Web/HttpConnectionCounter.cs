using Microsoft.AspNetCore.Connections;

namespace Edge.Web;

/// <summary>
/// Counts the TCP connections open on Kestrel's listeners (WebSocket and MJPEG clients included), as
/// a connection middleware on every endpoint: <c>listenOptions.Use(counter.Wrap)</c>.
/// </summary>
public sealed class HttpConnectionCounter
{
    private int _open;

    /// <summary>Connections open now. Safe to read from any thread.</summary>
    public int Open => Volatile.Read(ref _open);

    public ConnectionDelegate Wrap(ConnectionDelegate next) => connection =>
    {
        Interlocked.Increment(ref _open);
        // A continuation rather than an async lambda: native AOT compiles every async state machine
        // separately, and this one would only count down.
        var served = next(connection);
        served.ContinueWith(static (_, counter) => Interlocked.Decrement(ref ((HttpConnectionCounter)counter!)._open), this, TaskScheduler.Default);
        return served;
    };
}
