using System.Diagnostics;
using Edge.Camera.V4l2;

namespace Edge.Tests.Camera;

[TestClass]
public sealed class V4l2NativeTests
{
    [TestMethod]
    public void PollReportsReadinessAtOnceAndZeroAfterTheTimeout()
    {
        int fd = V4l2Native.Open("/dev/null", V4l2Native.O_RDWR | V4l2Native.O_CLOEXEC);
        try
        {
            Assert.AreEqual(V4l2Native.POLLIN, V4l2Native.Poll("/dev/null", fd, V4l2Native.POLLIN, 5000)); // always readable

            var waited = Stopwatch.StartNew();
            Assert.AreEqual(0, V4l2Native.Poll("/dev/null", fd, events: 0, timeoutMs: 50)); // nothing asked, nothing happens
            Assert.IsGreaterThanOrEqualTo(45, waited.ElapsedMilliseconds);
        }
        finally
        {
            V4l2Native.Close(fd);
        }
    }
}
