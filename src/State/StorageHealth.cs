using Microsoft.Extensions.Logging;

namespace Edge.State;

/// <summary>
/// Whether Edge can write its data directory, as its writers find out (the journal, settings files,
/// uploads, snapshots): each reports how its writes end. A writer's failure is logged with its cause
/// when the cause is new or its last line is a minute old, and its recovery at most once a minute: a
/// full or read-only SD card, or a nearly full one where writes come and go, makes a few log lines,
/// not one per write. <c>/readyz</c> and <c>/metrics</c> show what is failing now. Thread-safe: writers
/// finish on the loop or on workers.
/// </summary>
public sealed class StorageHealth(TimeProvider time, ILogger logger)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Problem> _failing = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _failures = new(StringComparer.Ordinal);
    // Per writer: the last failure logged (cause and time) and the last recovery logged.
    private readonly Dictionary<string, (string Error, DateTimeOffset At)> _loggedFailure = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _loggedRecovery = new(StringComparer.Ordinal);
    private static readonly TimeSpan LogInterval = TimeSpan.FromMinutes(1);

    /// <summary>A write of <paramref name="writer"/> failed with <paramref name="error"/>.</summary>
    public void Failed(string writer, Exception error)
    {
        bool log;
        var now = time.GetUtcNow();
        lock (_lock)
        {
            _failures[writer] = _failures.GetValueOrDefault(writer) + 1;
            if (!_failing.TryGetValue(writer, out var known) || known.Error != error.Message) _failing[writer] = new Problem(writer, error.Message, now);
            log = !_loggedFailure.TryGetValue(writer, out var logged) || logged.Error != error.Message || now - logged.At >= LogInterval;
            if (log) _loggedFailure[writer] = (error.Message, now);
        }
        if (log) logger.LogError("Cannot write the {Writer} to the data directory: {Error} (logged again if the cause changes, or after a minute)", writer, error.Message);
    }

    /// <summary>A write of <paramref name="writer"/> succeeded.</summary>
    public void Succeeded(string writer)
    {
        Problem? healed;
        long failures;
        var now = time.GetUtcNow();
        lock (_lock)
        {
            if (!_failing.Remove(writer, out healed)) return;
            failures = _failures.GetValueOrDefault(writer);
            if (_loggedRecovery.TryGetValue(writer, out var logged) && now - logged < LogInterval) return;
            _loggedRecovery[writer] = now;
        }
        logger.LogInformation("Writing the {Writer} to the data directory works again (failing since {Since:u}; {Failures} failed writes since start)", writer, healed.Since, failures);
    }

    /// <summary>The writers failing now.</summary>
    public IReadOnlyList<Problem> Problems
    {
        get { lock (_lock) return [.. _failing.Values]; }
    }

    /// <summary>Failed writes since start by writer (every writer that ever failed).</summary>
    public IReadOnlyList<KeyValuePair<string, long>> Failures
    {
        get { lock (_lock) return [.. _failures]; }
    }

    /// <summary>A writer that cannot write, why, and since when. A class, not a record: native AOT compiles a record's equality and printing too.</summary>
    public sealed class Problem(string writer, string error, DateTimeOffset since)
    {
        public string Writer { get; } = writer;

        public string Error { get; } = error;

        public DateTimeOffset Since { get; } = since;
    }
}
