using System.Device.Gpio;
using Edge.Runtime;
using Edge.State;
using Microsoft.Extensions.Logging;

namespace Edge.Gpio;

/// <summary>
/// The named pins of the <c>Gpio</c> section as state. Each pin's value is <c>gpio.&lt;name&gt;</c>;
/// outputs are set through <see cref="Write"/> (<c>gpio.set</c> and <c>state.set</c>); an input's edges
/// update its value and, for the edges its settings name, raise <see cref="Edge"/> and run its action.
/// <see cref="Run"/> is the supervised service <c>gpio</c>: it opens the pins (one that cannot be opened
/// is absent, retried every 30 s, and never stops the others), reads edges on a thread of its own
/// and closes the lines when it ends. Lines are driven through a <see cref="GpioController"/> per chip
/// (System.Device.Gpio) over Edge's own drivers; their calls run on the worker pool. Loop only.
/// </summary>
public sealed partial class GpioService
{
    public const string StatePrefix = "gpio.";

    /// <summary><c>gpio.status</c> describes the pins, so no pin may have this name.</summary>
    public const string StatusName = "status";

    /// <summary>Events beyond this many per pin and second are dropped and counted (a bouncing or noisy line).</summary>
    public const int MaxEventsPerSecond = 10;

    public static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(30);

    private readonly EventLoop _loop;
    private readonly WorkerPool _pool;
    private readonly StateStore _state;
    private readonly ILogger _logger;
    private readonly RateLimitedLog _warnings;
    private readonly List<GpioPin> _pins = [];
    private readonly List<GpioEdgeEvent> _batch = [];
    // The chips of open pins, by name, until the service stops.
    private readonly Dictionary<string, GpioChip> _chips = [];
    private TaskGroup? _actions;
    private int _drainPosted;
    private long _droppedEdges, _droppedEvents;

    public GpioService(EventLoop loop, WorkerPool pool, StateStore state, IGpioChips chips, GpioSettings settings,
        IReadOnlyDictionary<string, GpioActionHandler> actions, ILogger logger)
    {
        _loop = loop;
        _pool = pool;
        _state = state;
        _logger = logger;
        _warnings = new RateLimitedLog(logger, loop.Time, perMinute: 10);
        Chips = chips;
        foreach (var pin in settings.Pins)
        {
            GpioActionHandler? action = null;
            if (pin.ActionName != "none" && !actions.TryGetValue(pin.ActionName, out action))
                throw new ArgumentException($"No handler for the GPIO action '{pin.ActionName}'.", nameof(actions));
            _pins.Add(new GpioPin(pin, action));
        }
    }

    public IGpioChips Chips { get; }

    /// <summary>Pins are configured, so the service has something to run.</summary>
    public bool HasPins => _pins.Count > 0;

    /// <summary>Raised on the loop for each event: an edge of an input whose <c>Edge</c> setting names it.</summary>
    public event Action<GpioEdgeEvent>? Edge;

    /// <summary>An input's level changed (every edge, whatever the pin reports as events): its name and new value.</summary>
    public event Action<string, int>? InputChanged;

    /// <summary>The open input pins and their values now (loop only).</summary>
    public IEnumerable<(string Name, int Value)> Inputs()
    {
        _loop.VerifyAccess();
        foreach (var pin in _pins)
            if (!pin.IsOutput && pin.Chip != null) yield return (pin.Name, pin.Value);
    }

    /// <summary>The chips and their lines (<c>gpio.chips</c>), read on the worker pool.</summary>
    public async Task<GpioChipList> ListChips() => new(Chips.Name, await _pool.Submit(_ => Chips.ListChips(), PoolFullMode.Wait));

    /// <summary>
    /// Sets an output to 0 or 1; completes once the line has the value and its state key says so.
    /// Throws <see cref="GpioWriteException"/> for an unknown pin, an input, a level other than 0 or 1,
    /// or a line that is absent or fails; nothing changes then.
    /// </summary>
    public async Task Write(string name, int level)
    {
        _loop.VerifyAccess();
        var pin = _pins.Find(p => p.Name == name)
            ?? throw new GpioWriteException(GpioWriteError.UnknownPin, $"No GPIO pin is named '{name}' ({PinNames()}).");
        if (!pin.IsOutput) throw new GpioWriteException(GpioWriteError.Input, $"GPIO pin '{name}' is an input; only outputs can be set.");
        if (level is not (0 or 1))
            throw new GpioWriteException(GpioWriteError.InvalidLevel, $"GPIO pin '{name}' takes 0 or 1 (got {level}).");
        if (pin.Chip is not { } chip)
            throw new GpioWriteException(GpioWriteError.Unavailable,
                $"GPIO pin '{name}' is not available: {pin.Error ?? "not opened yet"}.");
        await pin.Writes.Then(static s => s.Self.WriteLine(s.Pin, s.Controller, s.Level),
            (Self: this, Pin: pin, Controller: chip.Controller, Level: level));
    }

    /// <summary>The supervised service: runs until <paramref name="cancellationToken"/> fires; throws when reading edges fails.</summary>
    public async Task Run(CancellationToken cancellationToken)
    {
        _loop.VerifyAccess();
        var actions = new TaskGroup(TaskGroupPolicy.IgnoreErrors, _logger, cancellationToken, "gpio actions", _loop.TaskGroups);
        _actions = actions;
        try
        {
            await OpenAbsent();
            Log.PinsOpen(_logger, Chips.Name, _pins.FindAll(pin => pin.Chip != null).Count, _pins.Count);
            while (!cancellationToken.IsCancellationRequested)
            {
                await using var round = new TaskGroup(TaskGroupPolicy.FailFast, _logger, cancellationToken, "gpio round", _loop.TaskGroups);
                // One edge reader per chip with open inputs: each driver calls its lines' callbacks.
                foreach (var chip in _pins.FindAll(pin => pin.Edges != null).ConvertAll(pin => pin.Chip!).Distinct())
                    round.Spawn(token => DedicatedThread.Run("edge-gpio", () => chip.Driver.DispatchEdges(token)),
                        $"gpio edges {chip.Driver.Chip}");
                // An input that opens later needs a reader that watches it too: the next round's.
                round.Spawn(async token =>
                {
                    await RetryAbsent(token);
                    round.Cancel();
                }, "gpio retry");
                await round.WhenAll();
            }
        }
        finally
        {
            _actions = null;
            await actions.DisposeAsync();
            await CloseAll();
        }
    }

    // Writes run one after another, so the line ends on the value asked for last.
    private async Task WriteLine(GpioPin pin, GpioController controller, int level)
    {
        try
        {
            await _pool.Submit(_ =>
            {
                controller.Write(pin.Line, level);
                return true;
            }, PoolFullMode.Wait);
        }
        catch (GpioException e)
        {
            throw new GpioWriteException(GpioWriteError.Unavailable, $"GPIO pin '{pin.Name}': {e.Message}.");
        }
        SetValue(pin, level);
    }

    // Every RetryInterval, tries the absent pins again; returns once an input opened.
    private async Task RetryAbsent(CancellationToken cancellationToken)
    {
        while (true)
        {
            await _loop.Delay(_pins.Exists(pin => pin.Chip == null) ? RetryInterval : Timeout.InfiniteTimeSpan, cancellationToken);
            if (await OpenAbsent()) return;
        }
    }

    // Opens the absent pins on the pool (a request and a first read may sleep); true when an input opened.
    private async Task<bool> OpenAbsent()
    {
        var absent = _pins.FindAll(pin => pin.Chip == null);
        if (absent.Count == 0) return false;
        var openings = absent.ConvertAll(pin =>
            new Opening(pin.Settings, ChipFor(pin.Settings.Chip), pin.Value,
                pin.IsOutput ? null : new GpioEdgeBuffer(pin.Name, _loop.Time)));
        var opened = await _pool.Submit(_ => openings.ConvertAll(Open), PoolFullMode.Wait);
        bool input = false;
        var problems = new List<string>();
        for (int i = 0; i < absent.Count; i++)
        {
            var pin = absent[i];
            var (opening, result) = (openings[i], opened[i]);
            if (result.Error == null)
            {
                if (pin.Error != null) Log.PinOpen(_logger, pin.Name, opening.Chip.Driver.Describe(pin.Line));
                pin.Attach(opening.Chip, opening.Edges);
                SetValue(pin, result.Value);
                // Those who follow inputs learn its level now that it is known.
                if (!pin.IsOutput) InputChanged?.Invoke(pin.Name, result.Value);
                input |= !pin.IsOutput;
            }
            else if (result.Error != pin.Error)
            {
                pin.Error = result.Error;
                problems.Add($"{pin.Name}: {result.Error}");
            }
        }
        // Once per change, not once per retry.
        if (problems.Count > 0)
            Log.PinsAbsent(_logger, RetryInterval.TotalSeconds, string.Join("; ", problems));
        PublishStatus();
        return input;
    }

    private GpioChip ChipFor(string name)
    {
        if (!_chips.TryGetValue(name, out var chip)) _chips[name] = chip = new GpioChip(Chips.CreateDriver(name));
        return chip;
    }

    // Pool: opens one pin through its chip's controller, with its edges going to its buffer; closes it again when any step fails.
    private OpenedPin Open(Opening opening)
    {
        var (settings, controller, line) = (opening.Settings, opening.Chip.Controller, opening.Settings.Line);
        try
        {
            opening.Chip.Driver.SetLineOptions(line, settings.LineOptions());
            if (opening.Edges is { } edges)
            {
                controller.OpenPin(line, settings.Mode);
                controller.RegisterCallbackForPinValueChangedEvent(line, PinEventTypes.Rising | PinEventTypes.Falling,
                    (_, e) => OnLineEdge(edges, e));
            }
            else
            {
                controller.OpenPin(line, settings.Mode, opening.Value);
            }
            return new OpenedPin((int)controller.Read(line), null);
        }
        catch (GpioException e)
        {
            if (controller.IsPinOpen(line)) controller.ClosePin(line);
            return new OpenedPin(0, e.Message);
        }
    }

    // Edge reader thread.
    private void OnLineEdge(GpioEdgeBuffer edges, PinValueChangedEventArgs edge)
    {
        edges.Add(edge.ChangeType == PinEventTypes.Rising, ((GpioEdgeArgs)edge).LineSeqno);
        // At most one drain waits in the loop's queue, however fast edges come.
        if (Interlocked.Exchange(ref _drainPosted, 1) == 0) _loop.TryPost(static s => ((GpioService)s!).Drain(), this);
    }

    private void Drain()
    {
        // Cleared before taking, so an edge added meanwhile posts the next drain.
        Interlocked.Exchange(ref _drainPosted, 0);
        long droppedEdges = _droppedEdges, droppedEvents = _droppedEvents;
        foreach (var pin in _pins)
        {
            if (pin.Edges is not { } edges) continue;
            _batch.Clear();
            long lost = edges.Take(_batch);
            foreach (var edge in _batch) OnEdge(pin, edge);
            if (lost == 0) continue;
            _droppedEdges += lost;
            if (_warnings.Admit()) Log.EdgesDropped(_logger, pin.Name, lost);
        }
        if (_droppedEdges != droppedEdges || _droppedEvents != droppedEvents) PublishStatus();
    }

    private void OnEdge(GpioPin pin, GpioEdgeEvent edge)
    {
        bool changed = pin.Value != edge.Value;
        SetValue(pin, edge.Value);
        if (changed) InputChanged?.Invoke(pin.Name, edge.Value);
        if (!pin.Reports(edge.Value == 1)) return;
        if (!pin.TakeEventSlot(_loop.Time, MaxEventsPerSecond))
        {
            _droppedEvents++;
            if (_warnings.Admit()) Log.EventsDropped(_logger, pin.Name);
            return;
        }
        try
        {
            Edge?.Invoke(edge);
        }
        catch (Exception e)
        {
            Log.HandlerFailed(_logger, e, e.Message);
        }
        if (pin.Action is not { } action || _actions is not { } group) return;
        if (pin.ActionRunning)
        {
            if (_warnings.Admit()) Log.ActionSkipped(_logger, pin.Name);
            return;
        }
        pin.ActionRunning = true;
        group.Spawn(token => RunAction(pin, action, edge, token), $"gpio {pin.Name} {pin.Settings.ActionName}");
    }

    private async Task RunAction(GpioPin pin, GpioActionHandler action, GpioEdgeEvent edge, CancellationToken cancellationToken)
    {
        try
        {
            await action(edge, cancellationToken);
        }
        catch (StorageException)
        {
            // StorageHealth has logged the cause, once per cause, and /readyz shows it.
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            if (_warnings.Admit()) Log.ActionFailed(_logger, pin.Name, pin.Settings.ActionName, e.Message);
        }
        finally
        {
            pin.ActionRunning = false;
        }
    }

    // Writes in flight finish first: they hold the line.
    private async Task CloseAll()
    {
        foreach (var pin in _pins) pin.Detach("the GPIO service is not running");
        foreach (var pin in _pins)
        {
            await pin.Writes.Drained();
        }
        PublishStatus();
        var chips = _chips.Values.ToList();
        _chips.Clear();
        if (chips.Count == 0) return;
        await _pool.Submit(_ =>
        {
            foreach (var chip in chips) chip.Dispose();
            return true;
        }, PoolFullMode.Wait);
    }

    private void SetValue(GpioPin pin, int value)
    {
        pin.Value = value;
        _state.Publish(pin.Key, value, StateJsonContext.Default.Int32);
    }

    private void PublishStatus()
    {
        var pins = _pins.ConvertAll(pin =>
            new GpioPinStatus(pin.Name, pin.Settings.Chip, pin.Settings.Line, pin.Settings.Direction, pin.Chip != null, pin.Error));
        _state.Publish(StatePrefix + StatusName, new GpioStatus(Chips.Name, pins, _droppedEdges, _droppedEvents),
            GpioJsonContext.Default.GpioStatus);
    }

    private string PinNames()
        => _pins.Count == 0 ? "no pins are configured" : $"pins: {string.Join(", ", _pins.ConvertAll(pin => pin.Name))}";

    private sealed record Opening(GpioPinSettings Settings, GpioChip Chip, int Value, GpioEdgeBuffer? Edges);

    private sealed record OpenedPin(int Value, string? Error);

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "GPIO edges dropped (more came than could wait): {Pin}: {Lost}")]
        public static partial void EdgesDropped(ILogger logger, string pin, long lost);

        [LoggerMessage(Level = LogLevel.Warning, Message = "GPIO events dropped, over the limit per second: {Pin}")]
        public static partial void EventsDropped(ILogger logger, string pin);

        [LoggerMessage(Level = LogLevel.Warning, Message = "GPIO action skipped: {Pin} had an event while its last action still ran")]
        public static partial void ActionSkipped(ILogger logger, string pin);

        [LoggerMessage(Level = LogLevel.Warning, Message = "GPIO action failed: {Pin} {Action}: {Problem}")]
        public static partial void ActionFailed(ILogger logger, string pin, string action, string problem);

        [LoggerMessage(Level = LogLevel.Information, Message = "GPIO ({Driver}): {Open} of {Count} pins open")]
        public static partial void PinsOpen(ILogger logger, string driver, int open, int count);

        [LoggerMessage(Level = LogLevel.Information, Message = "GPIO pin {Pin} ({Line}) is open")]
        public static partial void PinOpen(ILogger logger, string pin, string line);

        [LoggerMessage(Level = LogLevel.Warning, Message = "GPIO pins absent (the others work; retried every {Seconds} s): {Problems}")]
        public static partial void PinsAbsent(ILogger logger, double seconds, string problems);

        [LoggerMessage(Level = LogLevel.Error, Message = "GPIO event handler failed: {Message}")]
        public static partial void HandlerFailed(ILogger logger, Exception exception, string message);
    }
}
