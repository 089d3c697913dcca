using System.Diagnostics;
using Edge.Runtime;

namespace Edge.Tests.Runtime;

[TestClass]
public sealed class BusyWindowTests
{
    private static long At(double seconds) => (long)(seconds * Stopwatch.Frequency);

    [TestMethod]
    public void SecondsAfterBootTheRatioCountsOnlySecondsThatExisted()
    {
        // Stopwatch counts from boot: a board that starts Edge 2 s after power-on asks at second 2.
        var window = new BusyWindow();
        Assert.AreEqual(0.0, window.Ratio(At(0.5)));
        window.Add(At(1.2), At(0.5));
        Assert.AreEqual(0.1, window.Ratio(At(2.5)), 1e-9, "0.5 s busy over the 5 s span");
    }

    [TestMethod]
    public void SlotsNeverWrittenDoNotCountAsSecondZero()
    {
        var window = new BusyWindow();
        window.Add(At(0.5), At(0.25));
        Assert.AreEqual(0.05, window.Ratio(At(3)), 1e-9);
        Assert.AreEqual(0.0, window.Ratio(At(60)), "long gone");
    }
}
