namespace Edge.Monitoring;

/// <summary>The machine's memory from <c>/proc/meminfo</c>, and the process's resident memory from <c>/proc/self/statm</c>.</summary>
public static class MemInfo
{
    /// <summary>
    /// Total and available memory in bytes; false when MemTotal is missing. Kernels before 3.14 have no
    /// MemAvailable: free + buffers + page cache stands in for it.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> procMeminfo, out long totalBytes, out long availableBytes)
    {
        long total = -1, available = -1, free = 0, buffers = 0, cached = 0;
        while (AsciiFields.NextLine(ref procMeminfo, out var line))
        {
            int colon = line.IndexOf((byte)':');
            if (colon < 0) continue;
            var name = line[..colon];
            var rest = line[(colon + 1)..];
            if (!AsciiFields.NextLong(ref rest, out long kb)) continue;
            if (name.SequenceEqual("MemTotal"u8)) total = kb;
            else if (name.SequenceEqual("MemAvailable"u8)) available = kb;
            else if (name.SequenceEqual("MemFree"u8)) free = kb;
            else if (name.SequenceEqual("Buffers"u8)) buffers = kb;
            else if (name.SequenceEqual("Cached"u8))
            {
                cached = kb;
                if (available >= 0) break; // MemAvailable comes before Cached; nothing further is needed
            }
        }
        totalBytes = total * 1024;
        availableBytes = (available >= 0 ? available : free + buffers + cached) * 1024;
        return total >= 0;
    }

    /// <summary>Resident set size in bytes from <c>/proc/self/statm</c> (its second field, in pages); null when unreadable.</summary>
    public static long? ResidentBytes(ReadOnlySpan<byte> procSelfStatm, int pageSize)
        => AsciiFields.NextLong(ref procSelfStatm, out _) && AsciiFields.NextLong(ref procSelfStatm, out long pages)
            ? pages * pageSize
            : null;
}
