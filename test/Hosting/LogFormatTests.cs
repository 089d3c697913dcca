using Edge.Hosting;
using Microsoft.Extensions.Logging;

namespace Edge.Tests.Hosting;

[TestClass]
public sealed class LogFormatTests
{
    private static string Format(LogLevel level, string message, Exception? exception = null)
    {
        var writer = new StringWriter();
        EdgeLogFormatter.Write(level, "Edge.Web.SessionHub", message, exception, writer);
        return writer.ToString();
    }

    [TestMethod]
    public void EachEventIsOneLineWithItsSyslogPriorityWhenOutputIsNotATerminal()
    {
        Assert.IsTrue(Console.IsOutputRedirected, "the test runner redirects output, as journald does");
        string line = Format(LogLevel.Warning, "two\nlines");
        Assert.AreEqual(1, line.Count(c => c == '\n'));
        StringAssert.StartsWith(line, "<4>");
        StringAssert.Contains(line, "warn SessionHub: two lines");
        StringAssert.StartsWith(Format(LogLevel.Information, "x"), "<6>");
        StringAssert.StartsWith(Format(LogLevel.Error, "x"), "<3>");
        StringAssert.StartsWith(Format(LogLevel.Critical, "x"), "<2>");
        StringAssert.StartsWith(Format(LogLevel.Debug, "x"), "<7>");
    }

    [TestMethod]
    public void AnExceptionFollowsOnContinuationLinesWithTheSamePriorityAndNamesTheMethods()
    {
        Exception error;
        try { ThrowingMethod(); throw new InvalidOperationException("unreachable"); }
        catch (Exception e) { error = e; }
        var lines = Format(LogLevel.Error, "failed", error).TrimEnd('\n').Split('\n');
        Assert.IsGreaterThan(2, lines.Length);
        Assert.IsTrue(lines.All(l => l.StartsWith("<3>")));
        Assert.IsTrue(lines.Any(l => l.Contains(nameof(ThrowingMethod))));
    }

    private static void ThrowingMethod() => throw new FormatException("bad frame");
}
