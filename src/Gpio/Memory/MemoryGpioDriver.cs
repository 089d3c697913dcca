using Edge.Native;

namespace Edge.Gpio.Memory;

/// <summary>
/// GPIO lines simulated in memory, behaving like the chardev driver wherever Edge can tell: a request
/// fails for a missing chip, a missing line or a busy one; active-low and bias apply; an input's edges
/// are numbered and buffered per line, and a full buffer drops its oldest edge, which shows as a gap
/// in the numbers. Starts with one chip, <c>gpiochip0</c> with 64 lines. For tests (<see cref="SetLevel"/>
/// drives inputs, <see cref="Level"/> reads outputs) and for trying a configuration without GPIO.
/// Thread-safe.
/// </summary>
public sealed class MemoryGpioDriver : IGpioDriver
{
    /// <summary>Edges a line keeps until they are read, as the kernel keeps by default.</summary>
    public const int EventBufferSize = 16;

    private readonly Lock _lock = new();
    private readonly List<Chip> _chips = [];
    private readonly ManualResetEventSlim _edgesWaiting = new();

    public MemoryGpioDriver() => AddChip("gpiochip0", 64);

    public string Name => "memory";

    /// <summary>Adds a chip, as if its kernel driver had just loaded.</summary>
    public void AddChip(string name, int lines)
    {
        lock (_lock) _chips.Add(new Chip(name, lines));
    }

    /// <summary>Drives a line's electrical level, as a button or a sensor would; an input requested on it sees the edge.</summary>
    public void SetLevel(string chip, int line, int level)
    {
        lock (_lock)
        {
            var target = Find(chip, line);
            if (target.Request is { Config.Output: true }) throw new InvalidOperationException($"{chip} line {line} is an output and drives itself");
            target.Driven = true;
            if (target.Level == level) return;
            target.Level = level;
            target.Request?.AddEdge(level);
        }
        _edgesWaiting.Set();
    }

    /// <summary>A line's electrical level: what an output drives (after active-low), or what an input sees.</summary>
    public int Level(string chip, int line)
    {
        lock (_lock) return Find(chip, line).Level;
    }

    public IReadOnlyList<GpioChipInfo> ListChips()
    {
        lock (_lock)
        {
            var chips = new List<GpioChipInfo>(_chips.Count);
            foreach (var chip in _chips)
            {
                var lines = new List<GpioLineInfo>(chip.Lines.Length);
                for (int i = 0; i < chip.Lines.Length; i++)
                {
                    var config = chip.Lines[i].Request?.Config;
                    lines.Add(config == null
                        ? new GpioLineInfo(i, null, null, [], null)
                        : new GpioLineInfo(i, null, config.Consumer, GpioLineFlags.Describe(GpioLineFlags.GPIO_V2_LINE_FLAG_USED | GpioLineFlags.For(config)),
                            config.DebounceMs > 0 ? config.DebounceMs * 1000 : null));
                }
                chips.Add(new GpioChipInfo(chip.Name, "edge-memory", lines, null));
            }
            return chips;
        }
    }

    public IGpioLine Open(GpioLineConfig config)
    {
        lock (_lock)
        {
            var chip = _chips.Find(c => c.Name == config.Chip) ?? throw GpioException.NoChip(config.Chip);
            if ((uint)config.Line >= chip.Lines.Length) throw GpioException.NoLine(config.Chip, chip.Lines.Length, config.Line);
            var line = chip.Lines[config.Line];
            if (line.Request != null) throw GpioException.FromErrno(config.Describe(), "requesting the line", Libc.EBUSY);
            line.Request = new MemoryLineRequest(_lock, line, config);
            if (config.Output) line.Level = config.Initial ^ (config.ActiveLow ? 1 : 0);
            else if (!line.Driven && config.Bias is GpioBias.PullUp or GpioBias.PullDown) line.Level = config.Bias == GpioBias.PullUp ? 1 : 0;
            return line.Request;
        }
    }

    public void WatchEdges(IReadOnlyList<IGpioLine> lines, GpioEdgeCallback onEdge, CancellationToken cancellationToken)
    {
        var edges = new List<MemoryEdge>();
        while (!cancellationToken.IsCancellationRequested)
        {
            // Reset before looking, so an edge that arrives while delivering wakes the next wait.
            _edgesWaiting.Reset();
            for (int i = 0; i < lines.Count; i++)
            {
                edges.Clear();
                lock (_lock) ((MemoryLineRequest)lines[i]).TakeEdges(edges);
                foreach (var edge in edges) onEdge(i, edge.Rising, edge.LineSeqno);
            }
            try { _edgesWaiting.Wait(cancellationToken); }
            catch (OperationCanceledException) { return; }
        }
    }

    private MemoryLine Find(string chip, int line)
    {
        var found = _chips.Find(c => c.Name == chip) ?? throw new ArgumentException($"no chip {chip}", nameof(chip));
        return (uint)line < found.Lines.Length ? found.Lines[line] : throw new ArgumentOutOfRangeException(nameof(line), line, $"{chip} has {found.Lines.Length} lines");
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

/// <summary>One simulated line: its level and who requested it. Guarded by the driver's lock.</summary>
internal sealed class MemoryLine
{
    public int Level { get; set; }

    /// <summary>Something outside (a test) set the level, so bias no longer decides it.</summary>
    public bool Driven { get; set; }

    public MemoryLineRequest? Request { get; set; }
}

internal sealed record MemoryEdge(bool Rising, uint LineSeqno);
