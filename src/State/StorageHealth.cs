using Edge.Runtime;
using Microsoft.Extensions.Logging;

namespace Edge.State;

/// <summary>
/// Whether Edge can write its data directory, as its writers find out (the journal, settings files,
/// uploads, snapshots): each reports how its writes end. A writer's failure is logged with its cause
/// when the cause is new or its last line is a minute old, and its recovery at most once a minute: a
/// full or read-only SD card, or a nearly full one where writes come and go, makes a few log lines,
/// not one per write. <c>/readyz</c> and <c>/metrics</c> show what is failing now. A writer that
/// writes rarely is cleared by <see cref="Checked"/> when the directory itself takes writes again.
/// Thread-safe: writers finish on the loop or on workers.
/// </summary>
public sealed partial class StorageHealth(TimeProvider time, ILogger logger)
{
    private static readonly TimeSpan LogInterval = TimeSpan.FromMinutes(1);
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Writer> _writers = new(StringComparer.Ordinal);
    private long _failureCount;

    /// <summary>A write of <paramref name="writer"/> failed with <paramref name="error"/>.</summary>
    public void Failed(string writer, Exception error)
    {
        bool log;
        string cause = ErrorText.WithoutPaths(error);
        var now = time.GetUtcNow();
        lock (_lock)
        {
            var state = StateOf(writer);
            state.Failures++;
            state.LastFailure = ++_failureCount;
            if (state.Problem?.Error != cause) state.Problem = new Problem(writer, cause, now);
            log = state.LoggedError != cause || now - state.LoggedFailureAt >= LogInterval;
            if (log) (state.LoggedError, state.LoggedFailureAt) = (cause, now);
        }
        if (log) Log.WriteFailed(logger, writer, cause);
    }

    /// <summary>A write of <paramref name="writer"/> succeeded.</summary>
    public void Succeeded(string writer)
    {
        Problem healed;
        long failures;
        var now = time.GetUtcNow();
        lock (_lock)
        {
            if (!_writers.TryGetValue(writer, out var state) || state.Problem is null) return;
            (healed, state.Problem, failures) = (state.Problem, null, state.Failures);
            if (now - state.LoggedRecoveryAt < LogInterval) return;
            state.LoggedRecoveryAt = now;
        }
        Log.WritesWorkAgain(logger, writer, healed.Since, failures);
    }

    /// <summary>Whether any writer is failing now.</summary>
    public bool AnyFailing
    {
        get
        {
            lock (_lock)
            {
                foreach (var state in _writers.Values)
                {
                    if (state.Problem is not null) return true;
                }
                return false;
            }
        }
    }

    /// <summary>Counts failures so far: take it before a <see cref="DataDirectoryCheck"/> and hand it to <see cref="Checked"/>.</summary>
    public long FailureMark
    {
        get { lock (_lock) return _failureCount; }
    }

    /// <summary>
    /// The data directory passed <see cref="DataDirectoryCheck"/>, begun at <paramref name="mark"/>: every writer
    /// whose last failure came before it counts as recovered, as if its next write had succeeded (one that
    /// failed while the check ran keeps its problem). A writer whose own cause remains fails again at its next write.
    /// </summary>
    public void Checked(long mark)
    {
        List<string> failing = [];
        lock (_lock)
        {
            foreach (var (name, state) in _writers)
            {
                if (state.Problem is not null && state.LastFailure <= mark) failing.Add(name);
            }
        }
        foreach (var name in failing) Succeeded(name);
    }

    /// <summary>The writers failing now.</summary>
    public IReadOnlyList<Problem> Problems
    {
        get
        {
            lock (_lock)
            {
                var problems = new List<Problem>();
                foreach (var state in _writers.Values)
                {
                    if (state.Problem is not null) problems.Add(state.Problem);
                }
                return problems;
            }
        }
    }

    /// <summary>Failed writes since start by writer (every writer that ever failed).</summary>
    public IReadOnlyList<KeyValuePair<string, long>> Failures
    {
        get
        {
            lock (_lock)
            {
                var failures = new List<KeyValuePair<string, long>>(_writers.Count);
                foreach (var (name, state) in _writers) failures.Add(new(name, state.Failures));
                return failures;
            }
        }
    }

    // A writer enters the table at its first failure: every entry has failed at least once.
    private Writer StateOf(string writer)
    {
        if (!_writers.TryGetValue(writer, out var state)) _writers[writer] = state = new Writer();
        return state;
    }

    /// <summary>
    /// A writer that cannot write, why, and since when. A class, not a record: native AOT compiles a
    /// record's equality and printing too.
    /// </summary>
    public sealed class Problem(string writer, string error, DateTimeOffset since)
    {
        public string Writer { get; } = writer;

        public string Error { get; } = error;

        public DateTimeOffset Since { get; } = since;
    }

    // One writer's failures since start, what is failing now, and when its failure and recovery were last logged.
    private sealed class Writer
    {
        public long Failures;
        // The number of the failure (across writers) that was its last: what a check compares with.
        public long LastFailure;
        public Problem? Problem;
        public string? LoggedError;
        public DateTimeOffset LoggedFailureAt = DateTimeOffset.MinValue;
        public DateTimeOffset LoggedRecoveryAt = DateTimeOffset.MinValue;
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Error,
            Message = "Cannot write the {Writer} to the data directory: {Error} (logged again if the cause changes, or after a minute)")]
        public static partial void WriteFailed(ILogger logger, string writer, string error);

        [LoggerMessage(Level = LogLevel.Information,
            Message = "Writing the {Writer} to the data directory works again " +
                "(failing since {Since:u}; {Failures} failed writes since start)")]
        public static partial void WritesWorkAgain(ILogger logger, string writer, DateTimeOffset since, long failures);
    }
}
