using System.Diagnostics;

namespace Edge.Runtime;

// Busy time and items run per one-second slot over the last few seconds; written by the loop thread only.
internal sealed class BusyWindow
{
    private const int Slots = 8;
    private const int Span = 5; // seconds averaged, all complete slots
    private readonly long[] _second = new long[Slots];
    private readonly long[] _busyTicks = new long[Slots];
    private readonly long[] _items = new long[Slots];

    // -1: no second yet (0 is a real one, the machine's first after boot).
    public BusyWindow() => Array.Fill(_second, -1L);

    public void Add(long now, long busyTicks)
    {
        long second = now / Stopwatch.Frequency;
        int slot = (int)(second % Slots);
        if (Volatile.Read(ref _second[slot]) != second)
        {
            Volatile.Write(ref _busyTicks[slot], 0);
            Volatile.Write(ref _items[slot], 0);
            Volatile.Write(ref _second[slot], second);
        }
        Volatile.Write(ref _busyTicks[slot], _busyTicks[slot] + busyTicks);
        Volatile.Write(ref _items[slot], _items[slot] + 1);
    }

    /// <summary>Fraction of the last <see cref="Span"/> whole seconds spent running work.</summary>
    public double Ratio(long now) => Math.Min(1.0, Sum(_busyTicks, now) / (double)(Span * Stopwatch.Frequency));

    /// <summary>Items run per second over the last <see cref="Span"/> whole seconds.</summary>
    public double ItemsPerSecond(long now) => Sum(_items, now) / (double)Span;

    private long Sum(long[] values, long now)
    {
        long current = now / Stopwatch.Frequency;
        long sum = 0;
        // A machine up for less than the span has no earlier seconds (Stopwatch counts from boot).
        for (long s = Math.Max(0, current - Span); s < current; s++)
        {
            int slot = (int)(s % Slots);
            if (Volatile.Read(ref _second[slot]) == s) sum += Volatile.Read(ref values[slot]);
        }
        return sum;
    }
}
