using Edge.Hosting;

namespace Edge.Tests.Hosting;

/// <summary>Reading whether SIGHUP is ignored from <c>/proc/PID/status</c> (the binary test starts Edge under nohup).</summary>
[TestClass]
public sealed class HangupSignalTests
{
    [TestMethod]
    public void SigHupsBitInTheIgnoredMaskIsRead()
    {
        Assert.IsTrue(HangupSignal.IsIgnored("Name:\tedge\nSigBlk:\t0000000000000000\nSigIgn:\t0000000000000001\nSigCgt:\t0000000000000000\n"));
        Assert.IsFalse(HangupSignal.IsIgnored("Name:\tedge\nSigIgn:\t0000000000001000\n"), "SIGPIPE alone");
        Assert.IsFalse(HangupSignal.IsIgnored("Name:\tedge\n"), "no mask");
    }

    [TestMethod]
    public async Task ANohupChildIgnoresItAndOthersDoNot()
    {
        Edge.Tests.Support.Hangup.MustNotBeIgnored();
        foreach (var (command, ignored) in new[] { (new[] { "nohup", "cat", "/proc/self/status" }, true), (new[] { "cat", "/proc/self/status" }, false) })
        {
            var run = await Edge.Tests.Support.Tools.Run(command[0], command[1..]);
            Assert.AreEqual(ignored, HangupSignal.IsIgnored(run.Output), string.Join(' ', command));
        }
    }
}
