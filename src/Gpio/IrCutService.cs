using Edge.Runtime;
using Edge.State;
using Microsoft.Extensions.Logging;

namespace Edge.Gpio;

/// <summary>
/// Drives the IR-cut filter's pin from its mode: <c>on</c> (filter in), <c>off</c> (out) or <c>auto</c>,
/// where the light sensor's level (every change) or else the schedule (checked each half minute) decides,
/// the filter holding still at least <see cref="AutoHold"/> between automatic moves; one write at a time.
/// A mode set at run time is saved (<c>DATA_DIR/ircut.json</c>) before it applies. State <c>ircut</c>:
/// {mode, filter (<c>in</c>, <c>out</c>, or null before the pin took a value)}. Loop only.
/// </summary>
public sealed partial class IrCutService(EventLoop loop, WorkerPool pool, GpioService gpio, StateStore state, IrCutSettings settings,
    SettingsFile<IrCutMode> saved, StorageHealth storage, ILogger logger)
{
    public const string StorageWriter = "IR-cut mode";
    private static readonly TimeSpan ScheduleCheck = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(1);

    /// <summary>
    /// In auto mode the filter stays put at least this long: a light sensor near its threshold does not
    /// wear out the motor.
    /// </summary>
    public static readonly TimeSpan AutoHold = TimeSpan.FromSeconds(3);

    private readonly RateLimitedLog _problems = new(logger, loop.Time, perMinute: 1);
    private readonly SerialChain _changes = new();
    private int? _written;
    private long _lastSwitch = long.MinValue;
    private bool _writing;
    private ITimer? _retry;

    /// <summary>The mode in force: <c>on</c>, <c>off</c> or <c>auto</c>.</summary>
    public string Mode { get; private set; } = settings.Mode;

    /// <summary>The mode saved by an earlier <see cref="SetMode"/>, if it can be read (else the configured one stays).</summary>
    public void LoadSaved()
    {
        if (saved.Load(problem => Log.Unreadable(logger, problem)) is { } mode && Array.IndexOf(IrCutSettings.Modes, mode.Mode) >= 0)
            Mode = mode.Mode;
    }

    /// <summary>Saves <paramref name="mode"/>, then moves the filter by it; one change after another.</summary>
    public Task SetMode(string mode)
    {
        loop.VerifyAccess();
        if (Array.IndexOf(IrCutSettings.Modes, mode) < 0) throw new ArgumentException($"IR-cut modes are on, off and auto (got '{mode}')");
        return _changes.Then(static (s) => s.Self.SaveAndApply(s.Mode), (Self: this, Mode: mode));
    }

    private async Task SaveAndApply(string mode)
    {
        try
        {
            await pool.Submit(_ => saved.Save(new IrCutMode(mode)), PoolFullMode.Wait);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            storage.Failed(StorageWriter, e);
            throw new StorageException("Cannot save the IR-cut mode", e);
        }
        storage.Succeeded(StorageWriter);
        Mode = mode;
        // The answer (ONVIF's SetImagingSettings) comes once the pin has moved, or failed to.
        await Apply();
    }

    public async Task Run(CancellationToken cancellationToken)
    {
        loop.VerifyAccess();
        void Changed(string name, int value)
        {
            if (name == settings.LightSensor) _ = Apply();
        }
        gpio.InputChanged += Changed;
        using var schedule = loop.CreateTimer(() => _ = Apply(), ScheduleCheck, ScheduleCheck);
        using var retry = _retry = loop.CreateTimer(() => _ = Apply(), Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        try
        {
            _ = Apply();
            await Task.Delay(Timeout.InfiniteTimeSpan, loop.Time, cancellationToken);
        }
        finally
        {
            gpio.InputChanged -= Changed;
            _retry = null;
        }
    }

    // The filter in (1) or out (0) as the mode says; written only when that differs from the last write.
    // Completes when the write it started ends (writes never throw: a failure is logged and retried).
    private Task Apply()
    {
        int wanted = Mode switch
        {
            "on" => 1,
            "off" => 0,
            _ => Daylight() ? 1 : 0,
        };
        Publish();
        // One write at a time (it runs Apply again when done); none while the filter must hold still.
        if (_written == wanted || _writing) return Task.CompletedTask;
        if (Mode == "auto" && _lastSwitch != long.MinValue && loop.Time.GetElapsedTime(_lastSwitch) < AutoHold)
        {
            _retry?.Change(AutoHold - loop.Time.GetElapsedTime(_lastSwitch), Timeout.InfiniteTimeSpan);
            return Task.CompletedTask;
        }
        return Write(wanted);
    }

    private bool Daylight()
    {
        if (settings.LightSensor.Length > 0)
            foreach (var (name, value) in gpio.Inputs())
                if (name == settings.LightSensor) return value == 1;
        return settings.IsDay(TimeOnly.FromDateTime(loop.Time.GetLocalNow().DateTime));
    }

    private async Task Write(int level)
    {
        _writing = true;
        try
        {
            await gpio.Write(settings.Pin, level);
            if (_written != null) _lastSwitch = loop.Time.GetTimestamp();
            _written = level;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Not open yet (GPIO starts beside this service), or failing: tried again in a second.
            if (e is not GpioWriteException { Error: GpioWriteError.Unavailable } && _problems.Admit())
                Log.WriteFailed(logger, settings.Pin, e.Message);
            _retry?.Change(RetryAfter, Timeout.InfiniteTimeSpan);
            return;
        }
        finally
        {
            _writing = false;
        }
        // What was wanted meanwhile (a mode set, the light changed) is written next.
        await Apply();
    }

    private void Publish() => state.PublishWritten("ircut", w =>
    {
        w.WriteStartObject();
        w.WriteString("mode", Mode);
        if (_written is { } level) w.WriteString("filter", level == 1 ? "in" : "out");
        else w.WriteNull("filter");
        w.WriteEndObject();
    });

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "IR-cut: cannot set pin {Pin}: {Problem}")]
        public static partial void WriteFailed(ILogger logger, string pin, string problem);

        [LoggerMessage(Level = LogLevel.Error, Message = "IR-cut: {Problem}")]
        public static partial void Unreadable(ILogger logger, string problem);
    }
}
