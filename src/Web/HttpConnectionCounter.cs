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

    public ConnectionDelegate Wrap(ConnectionDelegate next) => async connection =>
    {
        Interlocked.Increment(ref _open);
        try
        {
            await next(connection);
        }
        finally
        {
            Interlocked.Decrement(ref _open);
        }
    };
}
