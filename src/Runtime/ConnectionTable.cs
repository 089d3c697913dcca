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

    /// <summary>Registers a connection under <paramref name="id"/> (Kestrel's connection id, or the server's own); dispose the entry when it closes.</summary>
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
    private long _datagramBytes;

    internal ConnectionEntry(ConnectionTable table, string id, string kind, string peer)
    {
        _table = table;
        Id = id;
        Kind = _openedAs = kind;
        Peer = peer;
    }

    public string Id { get; }

    /// <summary>When it opened (<see cref="Stopwatch"/> ticks).</summary>
    public long OpenedAt { get; } = Stopwatch.GetTimestamp();

    public string Peer { get; }

    /// <summary>What the connection is now: http, https, websocket, mjpeg, rtsp.</summary>
    public string Kind { get; private set; }

    /// <summary>The TCP socket whose byte counts the entry reports; null when the transport has none.</summary>
    public Socket? Socket { get; set; }

    /// <summary>Frames or messages waiting to be sent, asked on the loop; null when the connection keeps no queue.</summary>
    public Func<int>? Pending { get; set; }

    /// <summary>A few words on what it does (the user, the session), asked on the loop.</summary>
    public Func<string>? Detail { get; set; }

    /// <summary>
    /// Labels the connection for one exchange that outlives a request (an MJPEG stream); <see cref="Served"/>
    /// gives it back its own kind when the exchange ends and the connection is kept alive.
    /// </summary>
    public void Serve(string kind, Func<int>? pending, Func<string>? detail) => (Kind, Pending, Detail) = (kind, pending, detail);

    /// <summary>Ends what <see cref="Serve"/> began: the connection is what it was opened as again.</summary>
    public void Served() => (Kind, Pending, Detail) = (_openedAs, null, null);

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
        if (Pending is { } pending) w.WriteNumber("pending", pending());
        else w.WriteNull("pending");
        if (Detail is { } detail) w.WriteString("detail", detail());
        else w.WriteNull("detail");
        w.WriteEndObject();
    }
}
