using System.Text.Json;

namespace Edge.Monitoring;

/// <summary>This process's resources as the kernel and the GC count them: what a leak would grow.</summary>
public static class ProcessStats
{
    /// <summary>
    /// Writes {residentBytes, gcHeapBytes, gcCommittedBytes, gcAllocatedBytes, gen0/1/2Collections, threads, openFiles},
    /// reading <c>/proc/self</c> through <paramref name="files"/> (not thread-safe, like it); null where unreadable.
    /// </summary>
    public static void WriteTo(Utf8JsonWriter w, KernelFiles files, int pageSize)
    {
        w.WriteStartObject();
        Number(w, "residentBytes",
            files.TryRead(files.PathOf("proc/self/statm"), out var statm) ? MemInfo.ResidentBytes(statm, pageSize) : null);
        w.WriteNumber("gcHeapBytes", GC.GetTotalMemory(false));
        // Memory the GC holds from the kernel, free regions included (most of RSS above idle); counted
        // at each collection, so null before the first.
        var gc = GC.GetGCMemoryInfo();
        Number(w, "gcCommittedBytes", gc.Index > 0 ? gc.TotalCommittedBytes : null);
        w.WriteNumber("gcAllocatedBytes", GC.GetTotalAllocatedBytes());
        w.WriteNumber("gen0Collections", GC.CollectionCount(0));
        w.WriteNumber("gen1Collections", GC.CollectionCount(1));
        w.WriteNumber("gen2Collections", GC.CollectionCount(2));
        Number(w, "threads", files.TryRead(files.PathOf("proc/self/status"), out var status) ? ThreadCount(status) : null);
        long? open = null;
        try { open = Directory.GetFiles(files.PathOf("proc/self/fd")).Length; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        Number(w, "openFiles", open);
        w.WriteEndObject();
    }

    /// <summary>The <c>Threads:</c> line of <c>/proc/self/status</c>.</summary>
    public static long? ThreadCount(ReadOnlySpan<byte> status)
    {
        while (AsciiFields.NextLine(ref status, out var line))
        {
            if (!line.StartsWith("Threads:"u8)) continue;
            line = line["Threads:".Length..];
            return AsciiFields.NextLong(ref line, out long count) ? count : null;
        }
        return null;
    }

    private static void Number(Utf8JsonWriter w, string name, long? value)
    {
        if (value is { } v) w.WriteNumber(name, v);
        else w.WriteNull(name);
    }
}
