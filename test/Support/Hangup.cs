using Edge.Hosting;

namespace Edge.Tests.Support;

/// <summary>Tests of reloads by SIGHUP need a runner that does not ignore it: the processes it starts inherit that.</summary>
public static class Hangup
{
    public static void MustNotBeIgnored()
        => Assert.IsFalse(HangupSignal.IsIgnored(), "This test runner ignores SIGHUP (started under nohup?): what it starts inherits that, so no reload by signal can be tested. Run the tests without nohup.");
}
