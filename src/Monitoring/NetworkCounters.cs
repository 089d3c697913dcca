using System.Text;

namespace Edge.Monitoring;

/// <summary>
/// Received and sent bytes per network interface from <c>/proc/net/dev</c>, each with its previous
/// reading for rates. Loopback is left out: it is not traffic of the board. Interfaces that come
/// (a Wi-Fi dongle plugged in) are added, those that go are dropped.
/// </summary>
public sealed class NetworkCounters
{
    private readonly List<NetworkInterfaceCounters> _interfaces = [];

    /// <summary>The interfaces of the latest reading, in the kernel's order.</summary>
    public IReadOnlyList<NetworkInterfaceCounters> Interfaces => _interfaces;

    /// <summary>Takes a new reading from the contents of <c>/proc/net/dev</c>.</summary>
    public void Read(ReadOnlySpan<byte> procNetDev)
    {
        foreach (var known in _interfaces) known.Seen = false;
        int position = 0;
        while (AsciiFields.NextLine(ref procNetDev, out var line))
        {
            // "  eth0: rx_bytes packets errs drop fifo frame compressed multicast tx_bytes …"; the two
            // header lines have their colon-free "|" layout instead.
            int colon = line.IndexOf((byte)':');
            if (colon < 0) continue;
            var name = line[..colon].Trim((byte)' ');
            if (name.IsEmpty || name.SequenceEqual("lo"u8)) continue;
            var fields = line[(colon + 1)..];
            if (!AsciiFields.NextLong(ref fields, out long rx)) continue;
            for (int skip = 0; skip < 7; skip++) AsciiFields.NextField(ref fields, out _);
            if (!AsciiFields.NextLong(ref fields, out long tx)) continue;
            var counters = Find(name, position);
            counters.Update(rx, tx);
            position++;
        }
        _interfaces.RemoveAll(static i => !i.Seen);
    }

    // Interfaces keep their order, so the one at the same position is almost always the one wanted.
    private NetworkInterfaceCounters Find(ReadOnlySpan<byte> name, int position)
    {
        if (position < _interfaces.Count && _interfaces[position].Is(name)) return _interfaces[position];
        foreach (var known in _interfaces)
            if (known.Is(name)) return known;
        var added = new NetworkInterfaceCounters(Encoding.ASCII.GetString(name));
        _interfaces.Insert(Math.Min(position, _interfaces.Count), added);
        return added;
    }
}

/// <summary>One interface's byte counters: the latest reading and the one before.</summary>
public sealed class NetworkInterfaceCounters(string name)
{
    private long _previousRx, _previousTx;
    private bool _hasCurrent, _hasPrevious;

    public string Name { get; } = name;

    public long RxBytes { get; private set; }

    public long TxBytes { get; private set; }

    internal bool Seen { get; set; }

    /// <summary>Bytes per second received between the two readings; null after the first reading or a counter reset.</summary>
    public double? RxRate(double seconds) => Rate(RxBytes, _previousRx, seconds);

    /// <summary>Bytes per second sent between the two readings; null after the first reading or a counter reset.</summary>
    public double? TxRate(double seconds) => Rate(TxBytes, _previousTx, seconds);

    internal bool Is(ReadOnlySpan<byte> name)
    {
        if (name.Length != Name.Length) return false;
        for (int i = 0; i < name.Length; i++)
            if (name[i] != Name[i]) return false;
        return true;
    }

    internal void Update(long rx, long tx)
    {
        if (Seen) return; // a name listed twice: keep the first
        _hasPrevious = _hasCurrent;
        _hasCurrent = true;
        _previousRx = RxBytes;
        _previousTx = TxBytes;
        RxBytes = rx;
        TxBytes = tx;
        Seen = true;
    }

    private double? Rate(long current, long previous, double seconds)
        => _hasPrevious && current >= previous && seconds > 0 ? (current - previous) / seconds : null;
}
