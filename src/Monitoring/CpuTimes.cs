namespace Edge.Monitoring;

/// <summary>
/// Busy and total CPU time (in clock ticks) from <c>/proc/stat</c>, for all cores together and for each
/// core. Usage is the busy share of the time between two readings, so one reading alone tells none.
/// </summary>
public sealed class CpuTimes
{
    // Slot 0 is the "cpu" line (all cores), slot i + 1 is core i; a total of -1 marks a slot the
    // reading lacked (an offline core).
    private long[] _busy = new long[1 + Environment.ProcessorCount];
    private long[] _total = new long[1 + Environment.ProcessorCount];
    private int _slots;

    /// <summary>Cores in this reading: the highest core number seen plus one.</summary>
    public int Cores => Math.Max(0, _slots - 1);

    /// <summary>Replaces this reading with the contents of <c>/proc/stat</c>; false when it holds no "cpu" line.</summary>
    public bool Read(ReadOnlySpan<byte> procStat)
    {
        _total.AsSpan().Fill(-1);
        _slots = 0;
        while (AsciiFields.NextLine(ref procStat, out var line))
        {
            if (!line.StartsWith("cpu"u8))
            {
                if (_slots > 0) break; // the cpu lines come first; skip the long interrupt lines after them
                continue;
            }
            AsciiFields.NextField(ref line, out var name);
            int slot;
            if (name.Length == 3) slot = 0;
            else if (System.Buffers.Text.Utf8Parser.TryParse(name[3..], out int core, out int used) && used == name.Length - 3
                && core is >= 0 and < 4096) slot = core + 1;
            else continue;
            // user nice system idle iowait irq softirq steal; guest and guest_nice are already counted in user and nice.
            long busy = 0, idle = 0;
            int fields = 0;
            while (fields < 8 && AsciiFields.NextLong(ref line, out long ticks))
            {
                if (fields is 3 or 4) idle += ticks;
                else busy += ticks;
                fields++;
            }
            if (fields < 4) continue;
            Reserve(slot + 1);
            _busy[slot] = busy;
            _total[slot] = busy + idle;
            _slots = Math.Max(_slots, slot + 1);
        }
        return _slots > 0 && _total[0] >= 0;
    }

    /// <summary>
    /// Percent busy between <paramref name="earlier"/> and this reading, for slot 0 (all cores) or core
    /// slot − 1; null when either reading lacks it (an offline core) or no time passed between them.
    /// </summary>
    public double? UsagePercent(CpuTimes earlier, int slot)
    {
        if (slot >= _slots || slot >= earlier._slots || _total[slot] < 0 || earlier._total[slot] < 0) return null;
        long total = _total[slot] - earlier._total[slot];
        long busy = _busy[slot] - earlier._busy[slot];
        if (total <= 0 || busy < 0 || busy > total) return null;
        return 100.0 * busy / total;
    }

    private void Reserve(int slots)
    {
        if (slots <= _total.Length) return;
        int old = _total.Length;
        int size = Math.Max(slots, old * 2);
        Array.Resize(ref _busy, size);
        Array.Resize(ref _total, size);
        _total.AsSpan(old).Fill(-1);
    }
}
