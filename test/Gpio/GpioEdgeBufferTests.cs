using Edge.Gpio;
using Edge.Tests.Support;

namespace Edge.Tests.Gpio;

[TestClass]
public sealed class GpioEdgeBufferTests
{
    [TestMethod]
    public void EdgesArriveInOrderWithTheirValues()
    {
        var buffer = new GpioEdgeBuffer("button", new ManualClock());
        buffer.Add(rising: false, 1);
        buffer.Add(rising: true, 2);
        var edges = new List<GpioEdgeEvent>();
        Assert.AreEqual(0, buffer.Take(edges));
        Assert.AreEqual("falling 0, rising 1", string.Join(", ", edges.Select(e => $"{e.Edge} {e.Value}")));
        edges.Clear();
        Assert.AreEqual(0, buffer.Take(edges));
        Assert.IsEmpty(edges);
    }

    [TestMethod]
    public void AFullBufferDropsTheOldestSoTheNewestArrivesAndCountsIt()
    {
        var buffer = new GpioEdgeBuffer("noisy", new ManualClock());
        int total = GpioEdgeBuffer.Capacity + 5;
        for (uint i = 1; i <= total; i++) buffer.Add(rising: i % 2 == 1, i);
        var edges = new List<GpioEdgeEvent>();
        Assert.AreEqual(5, buffer.Take(edges));
        Assert.HasCount(GpioEdgeBuffer.Capacity, edges);
        Assert.AreEqual(1, edges[^1].Value, "the newest edge (rising) is kept");
        Assert.AreEqual(0, buffer.Take(edges), "the count starts again");
    }

    [TestMethod]
    public void GapsInTheKernelsNumberingCountAsDropped()
    {
        var buffer = new GpioEdgeBuffer("button", new ManualClock());
        buffer.Add(rising: false, 1);
        buffer.Add(rising: true, 4);
        buffer.Add(rising: false, 5);
        Assert.AreEqual(2, buffer.Take([]));
    }
}
