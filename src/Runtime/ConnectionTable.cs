using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Edge.Native;

namespace Edge.Runtime;

/// <summary>
/// Every client connection open now (HTTP, HTTPS, WebSocket, MJPEG, RTSP), for the runtime inspector.
/// Entries are added and counted from any thread; the loop-owned parts that serve a connection label
/// it with what it turned into and how much waits to be sent.
/// </summary>
public sealed class ConnectionTable
{
    private readonly ConcurrentDictionary<string, ConnectionEntry> _open = new(StringComparer.Ordinal);

    /// <summary>
    /// Registers a connection under <paramref name="id"/> (Kestrel's connection id, or the server's own);
    /// dispose the entry when it closes.
    /// </summary>
    public ConnectionEntry Open(string id, string kind, EndPoint? peer)
    {
        var entry = new ConnectionEntry(this, id, kind, peer?.ToString() ?? "?");
        _open[id] = entry;
        return entry;
    }

    /// <summary>The open connection with this id, or null.</summary>
    public ConnectionEntry? Find(string id) => _open.GetValueOrDefault(id);

    public int Count => _open.Count;

    internal void Close(ConnectionEntry entry) => _open.TryRemove(new KeyValuePair<string, ConnectionEntry>(entry.Id, entry));

    /// <summary>
    /// Every open connection, oldest first, as a JSON array of {id, kind, peer, ageSeconds, bytesIn,
    /// bytesOut, pending, detail}. Loop only: it asks the loop-owned parts for their pending counts.
    /// </summary>
    public void WriteTo(Utf8JsonWriter w)
    {
        long now = Stopwatch.GetTimestamp();
        var entries = new List<ConnectionEntry>(_open.Values);
        entries.Sort(static (a, b) => a.OpenedAt.CompareTo(b.OpenedAt));
        w.WriteStartArray();
        foreach (var entry in entries) entry.WriteTo(w, now);
        w.WriteEndArray();
    }
}

/// <summary>One open connection. Its bytes are the kernel's counts for its TCP socket, read when a report asks.</summary>
public sealed class ConnectionEntry : IDisposable
{
    private readonly ConnectionTable _table;
    private readonly string _openedAs;
    // What runs on it now that outlives a request (MJPEG streams, a WebSocket); HTTP/2 may carry several. Loop only.
    private readonly List<Exchange> _exchanges = [];
    private long _datagramBytes;

    internal ConnectionEntry(ConnectionTable table, string id, string kind, string peer)
    {
        _table = table;
        Id = id;
        _openedAs = kind;
        Peer = peer;
    }

    public string Id { get; }

    /// <summary>When it opened (<see cref="Stopwatch"/> ticks).</summary>
    public long OpenedAt { get; } = Stopwatch.GetTimestamp();

    public string Peer { get; }

    /// <summary>
    /// What the connection is now: http, https, websocket, mjpeg, rtsp (the newest exchange's kind, else
    /// what it was opened as). Loop only.
    /// </summary>
    public string Kind => _exchanges.Count > 0 ? _exchanges[^1].Kind : _openedAs;

    /// <summary>The TCP socket whose byte counts the entry reports; null when the transport has none.</summary>
    public Socket? Socket { get; set; }

    /// <summary>Frames or messages waiting to be sent, asked on the loop; null when the connection keeps no queue.</summary>
    public Func<int>? Pending { get; set; }

    /// <summary>A few words on what it does (the user, the session), asked on the loop.</summary>
    public Func<string>? Detail { get; set; }

    /// <summary>
    /// Labels the connection while an exchange that outlives a request runs on it (an MJPEG stream, a
    /// WebSocket); dispose the result when the exchange ends, and a kept-alive connection is what it was
    /// opened as again. HTTP/2 runs several on one connection: the report shows the newest's kind and
    /// everyone's pending counts and details. Loop only.
    /// </summary>
    public IDisposable Serve(string kind, Func<int> pending, Func<string> detail)
    {
        var exchange = new Exchange(this, kind, pending, detail);
        _exchanges.Add(exchange);
        return exchange;
    }

    /// <summary>Bytes sent for this connection outside its socket (RTP over UDP). Any thread.</summary>
    public void AddDatagramBytes(long bytes) => Interlocked.Add(ref _datagramBytes, bytes);

    public void Dispose() => _table.Close(this);

    internal void WriteTo(Utf8JsonWriter w, long now)
    {
        w.WriteStartObject();
        w.WriteString("id", Id);
        w.WriteString("kind", Kind);
        w.WriteString("peer", Peer);
        w.WriteNumber("ageSeconds", Math.Round(Stopwatch.GetElapsedTime(OpenedAt, now).TotalSeconds, 1));
        if (Socket is { } socket && TcpInfo.TryRead(socket, out long acked, out long received))
        {
            w.WriteNumber("bytesIn", received);
            w.WriteNumber("bytesOut", acked + Volatile.Read(ref _datagramBytes));
        }
        else
        {
            w.WriteNull("bytesIn");
            w.WriteNull("bytesOut");
        }
        if (_exchanges.Count > 0)
        {
            int pending = 0;
            foreach (var exchange in _exchanges) pending += exchange.Pending();
            w.WriteNumber("pending", pending);
            w.WriteString("detail",
                _exchanges.Count == 1 ? _exchanges[0].Detail() : string.Join("; ", _exchanges.ConvertAll(e => e.Detail())));
        }
        else
        {
            if (Pending is { } pending) w.WriteNumber("pending", pending());
            else w.WriteNull("pending");
            if (Detail is { } detail) w.WriteString("detail", detail());
            else w.WriteNull("detail");
        }
        w.WriteEndObject();
    }

    private sealed class Exchange(ConnectionEntry entry, string kind, Func<int> pending, Func<string> detail) : IDisposable
    {
        public string Kind { get; } = kind;

        public Func<int> Pending { get; } = pending;

        public Func<string> Detail { get; } = detail;

        public void Dispose() => entry._exchanges.Remove(this);
    }
}
