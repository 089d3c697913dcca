using Microsoft.Extensions.Logging;

namespace Edge.Hosting;

/// <summary>
/// Edge's one log destination: each event formatted by <see cref="EdgeLogFormatter"/> and handed to a
/// <see cref="LogWriter"/>, warnings and worse to standard error, the rest to standard output. Written
/// for Edge instead of Microsoft.Extensions.Logging.Console, whose three built-in formatters (JSON,
/// simple, systemd) native AOT compiled once for every state type Edge and Kestrel log: the console
/// assembly alone was 80 KB of the binary, for output Edge never chose. Which levels reach it is the logger factory's filter
/// (<c>Logging:LogLevel</c>).
/// </summary>
public sealed class EdgeLoggerProvider : ILoggerProvider
{
    private readonly LogWriter _writer = new(Console.Out, Console.Error);

    public ILogger CreateLogger(string categoryName) => new EdgeLogger(categoryName, _writer);

    /// <summary>Writes out what is queued (up to a moment), then stops the writer.</summary>
    public void Dispose() => _writer.Dispose();

    private sealed class EdgeLogger(string category, LogWriter writer) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        // Generic over every logged state type: kept to one call, so AOT copies a few bytes per type.
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception,
            Func<TState, Exception?, string> formatter)
            => Write(logLevel, formatter(state, exception), exception);

        private void Write(LogLevel level, string message, Exception? exception)
        {
            var text = new StringWriter();
            EdgeLogFormatter.Write(level, category, message, exception, text);
            if (text.GetStringBuilder().Length > 0) writer.Enqueue(level >= LogLevel.Warning, text.ToString());
        }
    }
}
