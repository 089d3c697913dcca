using Edge.Hosting;
using Edge.Tests.Support;

namespace Edge.Tests.Hosting;

/// <summary>Reading which signals are ignored from <c>/proc/PID/status</c> (the binary test starts Edge under nohup).</summary>
[TestClass]
public sealed class IgnoredSignalsTests
{
    [TestMethod]
    public void EachSignalsBitInTheIgnoredMaskIsRead()
    {
        const string status = "Name:\tedge\nSigBlk:\t0000000000000000\nSigIgn:\t0000000000001001\nSigCgt:\t0000000000000000\n";
        Assert.IsTrue(IgnoredSignals.Contains(status, IgnoredSignals.Hangup));
        Assert.IsFalse(IgnoredSignals.Contains(status, IgnoredSignals.Interrupt));
        Assert.IsTrue(IgnoredSignals.Contains(status, 13), "SIGPIPE");
        Assert.IsFalse(IgnoredSignals.Contains("Name:\tedge\n", IgnoredSignals.Hangup), "no mask");
    }

    [TestMethod]
    public async Task ANohupChildIgnoresSighupAndOthersDoNot()
    {
        Signals.MustNotBeIgnored(IgnoredSignals.Hangup, "SIGHUP");
        foreach (var (command, ignored) in new[] { (new[] { "nohup", "cat", "/proc/self/status" }, true),
            (new[] { "cat", "/proc/self/status" }, false) })
        {
            var run = await Tools.Run(command[0], command[1..]);
            Assert.AreEqual(ignored, IgnoredSignals.Contains(run.Output, IgnoredSignals.Hangup), string.Join(' ', command));
        }
    }
}
