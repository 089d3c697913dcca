using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Edge.Tests.Support;

/// <summary>Collects log lines in memory so tests can assert on them (and the test output stays quiet).</summary>
public sealed class TestLog : ILoggerProvider, ILogger
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyCollection<string> Lines => _lines;

    public ILogger CreateLogger(string categoryName) => this;

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception,
        Func<TState, Exception?, string> formatter)
        => _lines.Enqueue($"{logLevel}: {formatter(state, exception)}{(exception != null ? " | " + exception : "")}");

    public void Dispose() { }
}
