using Microsoft.Extensions.Logging;

namespace Edge.Hosting;

/// <summary>
/// One line per event: <c>&lt;6&gt;2026-11-21T10:00:00.000Z info SessionHub: message</c>. The syslog
/// priority prefix is written when output is not a terminal, so journald and syslog see levels; the
/// timestamp is left out under journald, which stamps lines itself. An exception's stack trace follows
/// on continuation lines that carry the same prefix.
/// </summary>
public static class EdgeLogFormatter
{
    private static readonly bool Prefix = Console.IsOutputRedirected || Console.IsErrorRedirected;
    private static readonly bool Timestamps = Environment.GetEnvironmentVariable("JOURNAL_STREAM") == null;

    /// <summary>Writes one event's lines; nothing for an empty message without an exception.</summary>
    public static void Write(LogLevel level, string category, string message, Exception? exception, TextWriter textWriter)
    {
        if (string.IsNullOrEmpty(message) && exception == null) return;
        string prefix = Prefix ? $"<{Priority(level)}>" : "";
        if (Timestamps)
        {
            textWriter.Write(prefix);
            textWriter.Write(DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z' ", System.Globalization.CultureInfo.InvariantCulture));
            prefix = "";
        }
        textWriter.Write(prefix);
        textWriter.Write(Label(level));
        textWriter.Write(' ');
        textWriter.Write(category.StartsWith("Edge.", StringComparison.Ordinal) ? category[(category.LastIndexOf('.') + 1)..] : category);
        textWriter.Write(": ");
        textWriter.Write(message.ReplaceLineEndings(" "));
        textWriter.Write('\n');
        if (exception != null)
        {
            string continuation = Prefix ? $"<{Priority(level)}>    " : "    ";
            foreach (var line in exception.ToString().Split('\n'))
            {
                textWriter.Write(continuation);
                textWriter.Write(line.TrimEnd('\r'));
                textWriter.Write('\n');
            }
        }
    }

    /// <summary>The syslog severity (RFC 5424) of a log level.</summary>
    public static int Priority(LogLevel level) => level switch
    {
        LogLevel.Critical => 2,
        LogLevel.Error => 3,
        LogLevel.Warning => 4,
        LogLevel.Information => 6,
        _ => 7,
    };

    private static string Label(LogLevel level) => level switch
    {
        LogLevel.Critical => "crit",
        LogLevel.Error => "error",
        LogLevel.Warning => "warn",
        LogLevel.Information => "info",
        LogLevel.Debug => "debug",
        _ => "trace",
    };
}
