using System.Diagnostics;
using Edge.Camera.V4l2;
using Edge.Native;

namespace Edge.Tests.Camera;

[TestClass]
public sealed class V4l2NativeTests
{
    [TestMethod]
    public void PollReportsReadinessAtOnceAndZeroAfterTheTimeout()
    {
        int fd = V4l2Native.Open("/dev/null", Libc.O_RDWR | Libc.O_CLOEXEC);
        try
        {
            Assert.AreEqual(Libc.POLLIN, V4l2Native.Poll("/dev/null", fd, Libc.POLLIN, 5000)); // always readable

            var waited = Stopwatch.StartNew();
            Assert.AreEqual(0, V4l2Native.Poll("/dev/null", fd, events: 0, timeoutMs: 50)); // nothing asked, nothing happens
            Assert.IsGreaterThanOrEqualTo(45, waited.ElapsedMilliseconds);
        }
        finally
        {
            Libc.Close(fd);
        }
    }
}
