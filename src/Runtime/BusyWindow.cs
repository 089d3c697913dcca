using System.Diagnostics;

namespace Edge.Runtime;

// Busy time per one-second slot over the last few seconds; written by the loop thread only.
internal sealed class BusyWindow
{
    private const int Slots = 8;
    private const int Span = 5; // seconds averaged, all complete slots
    private readonly long[] _second = new long[Slots];
    private readonly long[] _busyTicks = new long[Slots];

    // -1: no second yet (0 is a real one, the machine's first after boot).
    public BusyWindow() => Array.Fill(_second, -1L);

    public void Add(long now, long busyTicks)
    {
        long second = now / Stopwatch.Frequency;
        int slot = (int)(second % Slots);
        if (Volatile.Read(ref _second[slot]) != second)
        {
            Volatile.Write(ref _busyTicks[slot], 0);
            Volatile.Write(ref _second[slot], second);
        }
        Volatile.Write(ref _busyTicks[slot], _busyTicks[slot] + busyTicks);
    }

    /// <summary>Fraction of the last <see cref="Span"/> whole seconds spent running work.</summary>
    public double Ratio(long now)
    {
        long current = now / Stopwatch.Frequency;
        long busy = 0;
        // A machine up for less than the span has no earlier seconds (Stopwatch counts from boot).
        for (long s = Math.Max(0, current - Span); s < current; s++)
        {
            int slot = (int)(s % Slots);
            if (Volatile.Read(ref _second[slot]) == s) busy += Volatile.Read(ref _busyTicks[slot]);
        }
        return Math.Min(1.0, busy / (double)(Span * Stopwatch.Frequency));
    }
}
