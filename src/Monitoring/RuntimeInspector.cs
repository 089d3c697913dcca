using System.Text.Json;
using Edge.Runtime;

namespace Edge.Monitoring;

/// <summary>
/// The runtime inspector's report, written as JSON on the loop, where the state it reads lives:
/// the event loop (queue, lag histogram, items per second, busiest kinds of work), every task group
/// and its live children, every supervised service, the worker pool, every connection and the
/// process's resources. Costs nothing until asked; the counters behind it are always kept (their
/// cost is in docs/BENCHMARKS.md). Written by hand: report records would each cost native AOT their
/// own serializer, equality and printing code.
/// </summary>
public sealed class RuntimeInspector(EventLoop loop, WorkerPool pool, Supervisor supervisor, ConnectionTable connections,
    DateTimeOffset startedAt)
{
    private const int BusiestKinds = 15;
    private readonly KernelFiles _files = new("/");

    /// <summary>Writes the report as of now. Loop only.</summary>
    public void WriteTo(Utf8JsonWriter w)
    {
        loop.VerifyAccess();
        var now = loop.Time.GetUtcNow();
        w.WriteStartObject();
        w.WriteString("at", now);
        w.WriteNumber("uptimeSeconds", Math.Round((now - startedAt).TotalSeconds, 1));
        WriteLoop(w);
        w.WritePropertyName("taskGroups");
        loop.TaskGroups.WriteTo(w);
        WriteServices(w);
        WritePool(w);
        w.WritePropertyName("connections");
        connections.WriteTo(w);
        w.WritePropertyName("process");
        ProcessStats.WriteTo(w, _files, Environment.SystemPageSize);
        w.WriteEndObject();
    }

    private void WriteLoop(Utf8JsonWriter w)
    {
        var metrics = loop.GetMetrics();
        w.WriteStartObject("loop");
        w.WriteNumber("queueDepth", metrics.QueueDepth);
        w.WriteNumber("itemsRun", metrics.ItemsRun);
        w.WriteNumber("itemsPerSecond", metrics.ItemsPerSecond);
        w.WriteNumber("failures", metrics.Failures);
        w.WriteNumber("busyRatio", Math.Round(metrics.BusyRatio, 4));
        Summary(w, "lag", metrics.Lag);
        // Cumulative, as Prometheus has it: items that started at most leMs after being posted.
        Span<long> counts = stackalloc long[LatencyHistogram.ReportBoundsNanos.Length];
        long total = loop.Lag.CumulativeCounts(LatencyHistogram.ReportBoundsNanos, counts);
        w.WriteStartArray("lagHistogram");
        for (int i = 0; i <= counts.Length; i++)
        {
            w.WriteStartObject();
            if (i < counts.Length) w.WriteNumber("leMs", LatencyHistogram.ReportBoundsNanos[i] / 1e6);
            else w.WriteNull("leMs");
            w.WriteNumber("count", i < counts.Length ? counts[i] : total);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WritePropertyName("busiest");
        loop.WriteBusiestWork(w, BusiestKinds);
        w.WriteEndObject();
    }

    private void WriteServices(Utf8JsonWriter w)
    {
        w.WriteStartArray("services");
        foreach (var service in supervisor.GetStatus()) service.WriteTo(w);
        w.WriteEndArray();
    }

    private void WritePool(Utf8JsonWriter w)
    {
        var metrics = pool.GetMetrics();
        w.WriteStartObject("pool");
        w.WriteNumber("workers", metrics.Workers);
        w.WriteNumber("capacity", metrics.Capacity);
        w.WriteNumber("queued", metrics.Queued);
        w.WriteNumber("running", metrics.Running);
        w.WriteNumber("completed", metrics.Completed);
        w.WriteNumber("failed", metrics.Failed);
        w.WriteNumber("canceled", metrics.Canceled);
        w.WriteNumber("rejected", metrics.Rejected);
        w.WriteNumber("dropped", metrics.Dropped);
        Summary(w, "waitTime", metrics.WaitTime);
        Summary(w, "runTime", metrics.RunTime);
        w.WriteEndObject();
    }

    private static void Summary(Utf8JsonWriter w, string name, LatencySummary summary)
    {
        w.WriteStartObject(name);
        w.WriteNumber("count", summary.Count);
        w.WriteNumber("p50Ms", summary.P50Ms);
        w.WriteNumber("p99Ms", summary.P99Ms);
        w.WriteNumber("maxMs", summary.MaxMs);
        w.WriteEndObject();
    }
}
