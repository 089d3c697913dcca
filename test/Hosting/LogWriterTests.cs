using Edge.Hosting;

namespace Edge.Tests.Hosting;

[TestClass]
public sealed class LogWriterTests
{
    [TestMethod]
    public void AStalledOutputNeverBlocksTheLoggerLinesBeyondTheQueueAreCountedAndTheRestWrittenInOrder()
    {
        using var output = new GatedWriter();
        var error = new StringWriter();
        var writer = new LogWriter(output, error);
        var took = System.Diagnostics.Stopwatch.StartNew();
        for (int i = 0; i < 5000; i++) writer.Enqueue(toError: false, $"line {i}\n");
        took.Stop();
        // Nothing is written while the output is stalled, and the caller went on regardless.
        Assert.AreEqual("", output.Text);
        Assert.IsLessThan(TimeSpan.FromSeconds(2), took.Elapsed, "5,000 lines queued or dropped without waiting");

        output.Open();
        writer.Dispose();
        var lines = output.Text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var numbers = lines.Select(l => int.Parse(l["line ".Length..])).ToArray();
        Assert.IsGreaterThanOrEqualTo(1024, lines.Length, "a full queue's worth is kept");
        Assert.IsLessThan(5000, lines.Length, "the rest was dropped");
        Assert.AreEqual(0, numbers[0], "the first line is kept");
        Assert.IsTrue(numbers.Zip(numbers.Skip(1)).All(p => p.First < p.Second), "what is kept is written in order");
        int reported = System.Text.RegularExpressions.Regex.Matches(error.ToString(), @"(\d+) log lines were dropped")
            .Sum(m => int.Parse(m.Groups[1].Value));
        Assert.AreEqual(5000 - lines.Length, reported, "every line is written or counted as dropped");
    }

    [TestMethod]
    public void WarningsGoToTheErrorStreamAndALineAfterDisposeIsWrittenAtOnce()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var writer = new LogWriter(output, error);
        writer.Enqueue(toError: true, "warn\n");
        writer.Enqueue(toError: false, "info\n");
        writer.Dispose();
        Assert.AreEqual("warn\n", error.ToString());
        Assert.AreEqual("info\n", output.ToString());
        writer.Enqueue(toError: false, "late\n");
        Assert.AreEqual("info\nlate\n", output.ToString());
    }

    // A writer whose first write waits until Open: a reader that has stopped reading.
    private sealed class GatedWriter : TextWriter
    {
        private readonly ManualResetEventSlim _open = new();
        private readonly System.Text.StringBuilder _text = new();

        public override System.Text.Encoding Encoding => System.Text.Encoding.UTF8;

        public string Text
        {
            get { lock (_text) return _text.ToString(); }
        }

        public void Open() => _open.Set();

        public override void Write(string? value)
        {
            _open.Wait();
            lock (_text) _text.Append(value);
        }

        protected override void Dispose(bool disposing)
        {
            _open.Set();
            base.Dispose(disposing);
        }
    }
}
