using System.Diagnostics;
using Edge.Runtime;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Bench;

/// <summary>
/// Post→run lag of an idle loop: one item posted every millisecond from another thread, each stamped
/// when posted and when run, the way a socket callback or timer reaches the loop between frames. The
/// loop's thread is asleep in its wait when each item arrives, so this is the wake-up cost.
/// </summary>
internal static class IdleLag
{
    public static void Run(TimeSpan duration)
    {
        using var loop = new EventLoop(NullLogger.Instance, name: "bench-loop");
        var lags = new List<long>();
        long end = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        using var ran = new SemaphoreSlim(0);
        while (Stopwatch.GetTimestamp() < end)
        {
            Thread.Sleep(1);
            long posted = Stopwatch.GetTimestamp();
            loop.Post(() =>
            {
                lags.Add(Stopwatch.GetTimestamp() - posted);
                ran.Release();
            });
            ran.Wait();
        }
        lags.Sort();
        double Micros(double q) => lags[Math.Min(lags.Count - 1, (int)(q * lags.Count))] * 1e6 / Stopwatch.Frequency;
        Console.WriteLine($"idle loop post→run lag over {lags.Count} items: p50 {Micros(0.5):F1} µs, p99 {Micros(0.99):F1} µs, "
            + $"p99.9 {Micros(0.999):F1} µs, max {Micros(1.0):F1} µs");
    }
}
