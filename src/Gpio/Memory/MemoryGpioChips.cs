namespace Edge.Gpio.Memory;

/// <summary>
/// GPIO chips simulated in memory, behaving like the kernel's wherever Edge can tell: a request fails
/// for a missing chip, a missing line or a busy one; active-low and bias apply; an input's edges are
/// numbered and buffered per line while detected, and a full buffer drops its oldest edge, which shows
/// as a gap in the numbers. Starts with one chip, <c>gpiochip0</c> with 64 lines; each chip is driven
/// by a <see cref="MemoryGpioDriver"/>. For tests (<see cref="SetLevel"/> drives inputs,
/// <see cref="Level"/> reads outputs) and for trying a configuration without GPIO. Thread-safe.
/// </summary>
public sealed class MemoryGpioChips : IGpioChips
{
    /// <summary>Edges a line keeps until they are read, as the kernel keeps by default.</summary>
    public const int EventBufferSize = 16;

    private readonly List<Chip> _chips = [];

    public MemoryGpioChips() => AddChip("gpiochip0", 64);

    public string Name => "memory";

    /// <summary>Guards every chip, line and request.</summary>
    internal Lock Sync { get; } = new();

    /// <summary>Adds a chip, as if its kernel driver had just loaded.</summary>
    public void AddChip(string name, int lines)
    {
        lock (Sync) _chips.Add(new Chip(name, lines));
    }

    /// <summary>Drives a line's electrical level, as a button or a sensor would; an input requested on it sees the edge.</summary>
    public void SetLevel(string chip, int line, int level)
    {
        MemoryGpioDriver? watcher = null;
        lock (Sync)
        {
            var target = Find(chip, line) ?? throw new ArgumentException($"{chip} has no line {line}", nameof(line));
            if (target.Request is { Mode: System.Device.Gpio.PinMode.Output })
                throw new InvalidOperationException($"{chip} line {line} is an output and drives itself");
            target.Driven = true;
            if (target.Level == level) return;
            target.Level = level;
            if (target.Request?.AddEdge(level) == true) watcher = target.Request.Driver;
        }
        watcher?.EdgeArrived();
    }

    /// <summary>A line's electrical level: what an output drives (after active-low), or what an input sees.</summary>
    public int Level(string chip, int line)
    {
        lock (Sync) return (Find(chip, line) ?? throw new ArgumentException($"{chip} has no line {line}", nameof(line))).Level;
    }

    public GpioChipDriver CreateDriver(string chip) => new MemoryGpioDriver(this, chip);

    public IReadOnlyList<GpioChipInfo> ListChips()
    {
        lock (Sync)
        {
            var chips = new List<GpioChipInfo>(_chips.Count);
            foreach (var chip in _chips)
            {
                var lines = new List<GpioLineInfo>(chip.Lines.Length);
                for (int i = 0; i < chip.Lines.Length; i++)
                {
                    var request = chip.Lines[i].Request;
                    lines.Add(request == null
                        ? new GpioLineInfo(i, null, null, [], null)
                        : new GpioLineInfo(i, null, request.Options.Consumer,
                            GpioLineFlags.Describe(GpioLineFlags.GPIO_V2_LINE_FLAG_USED | request.Flags),
                            request.Options.DebounceMs > 0 && request.Mode != System.Device.Gpio.PinMode.Output
                                ? request.Options.DebounceMs * 1000
                                : null));
                }
                chips.Add(new GpioChipInfo(chip.Name, "edge-memory", lines, null));
            }
            return chips;
        }
    }

    /// <summary>
    /// The number of lines of <paramref name="chip"/>; throws as the kernel's would when there is no such
    /// chip. Under <see cref="Sync"/>.
    /// </summary>
    internal int LineCount(string chip) => (_chips.Find(c => c.Name == chip) ?? throw GpioException.NoChip(chip)).Lines.Length;

    /// <summary>The line, or null. Under <see cref="Sync"/>.</summary>
    internal MemoryLine? Find(string chip, int line)
    {
        var found = _chips.Find(c => c.Name == chip);
        return found != null && (uint)line < (uint)found.Lines.Length ? found.Lines[line] : null;
    }

    private sealed class Chip(string name, int lines)
    {
        public string Name { get; } = name;

        public MemoryLine[] Lines { get; } = CreateLines(lines);

        private static MemoryLine[] CreateLines(int count)
        {
            var lines = new MemoryLine[count];
            for (int i = 0; i < count; i++) lines[i] = new MemoryLine();
            return lines;
        }
    }
}

/// <summary>One simulated line: its level and who requested it. Guarded by the chips' lock.</summary>
internal sealed class MemoryLine
{
    public int Level { get; set; }

    /// <summary>Something outside (a test) set the level, so bias no longer decides it.</summary>
    public bool Driven { get; set; }

    public MemoryLineRequest? Request { get; set; }
}

internal sealed record MemoryEdge(bool Rising, uint LineSeqno);
