using Edge.Hosting;

namespace Edge.Tests.Support;

/// <summary>Tests that send SIGHUP or SIGINT need a runner that does not ignore it: the processes it starts inherit that.</summary>
public static class Signals
{
    public static void MustNotBeIgnored(int signal, string name)
        => Assert.IsFalse(IgnoredSignals.Contains(signal),
            $"This test runner ignores {name} (started under nohup, or as a shell's background job?): what it starts inherits that, " +
            $"so the test cannot work. Run the tests in the foreground, without nohup.");
}
