using System.Collections.Concurrent;
using System.Device.Gpio;
using Edge.Gpio;
using Edge.Gpio.Memory;
using Edge.Native;
using Edge.Runtime;
using Edge.Tests.Support;

namespace Edge.Tests.Gpio;

/// <summary>The in-memory chips through System.Device.Gpio's <see cref="GpioController"/>, as the GPIO service drives them.</summary>
[TestClass]
public sealed class MemoryGpioDriverTests
{
    private const string Chip = "gpiochip0";
    private readonly MemoryGpioChips _chips = new();

    [TestMethod]
    public void AnOutputOpenedWithAValueDrivesItAtOnceAndActiveLowInvertsTheLevel()
    {
        var driver = _chips.CreateDriver(Chip);
        driver.SetLineOptions(5, new GpioLineOptions(true, GpioBias.AsIs, 0, "test"));
        using var controller = new GpioController(driver);
        controller.OpenPin(5, PinMode.Output, PinValue.High);
        Assert.AreEqual(0, _chips.Level(Chip, 5), "active-low: high is a low level");
        controller.Write(5, PinValue.Low);
        Assert.AreEqual(1, _chips.Level(Chip, 5));
        Assert.AreEqual(PinValue.Low, controller.Read(5));
        Assert.AreEqual(PinMode.Output, controller.GetPinMode(5));
    }

    [TestMethod]
    public void AnInputFollowsItsPullUntilSomethingDrivesTheLine()
    {
        using var controller = new GpioController(_chips.CreateDriver(Chip));
        controller.OpenPin(3, PinMode.InputPullUp);
        Assert.AreEqual(PinValue.High, controller.Read(3));
        _chips.SetLevel(Chip, 3, 0);
        Assert.AreEqual(PinValue.Low, controller.Read(3));
    }

    [TestMethod]
    public void ALineHeldByAnotherRequestIsBusyUntilThatOneIsClosed()
    {
        using var first = new GpioController(_chips.CreateDriver(Chip));
        using var second = new GpioController(_chips.CreateDriver(Chip));
        first.OpenPin(7, PinMode.Input);
        var busy = Assert.Throws<GpioException>(() => second.OpenPin(7, PinMode.Input));
        Assert.AreEqual(Libc.EBUSY, busy.Errno);
        StringAssert.StartsWith(busy.Message, "gpiochip0 line 7: requesting the line failed: ");
        second.ClosePin(7);
        first.ClosePin(7);
        second.OpenPin(7, PinMode.Input);
        Assert.IsTrue(second.IsPinOpen(7));
    }

    [TestMethod]
    public void AMissingChipOrLineIsRefusedWhenThePinOpens()
    {
        using var missingChip = new GpioController(_chips.CreateDriver("gpiochip4"));
        Assert.AreEqual("gpiochip4 does not exist", Assert.Throws<GpioException>(() => missingChip.OpenPin(1)).Message);
        using var controller = new GpioController(_chips.CreateDriver(Chip));
        Assert.AreEqual("gpiochip0 has 64 lines (0 to 63); there is no line 64",
            Assert.Throws<GpioException>(() => controller.OpenPin(64)).Message);
        Assert.AreEqual(64, controller.PinCount);
    }

    [TestMethod]
    public async Task EdgesReachTheCallbacksThatAskedForThemOnTheDispatchingThreadNumberedByTheLine()
    {
        var driver = _chips.CreateDriver(Chip);
        using var controller = new GpioController(driver);
        controller.OpenPin(9, PinMode.Input);
        var both = new ConcurrentQueue<string>();
        var rising = new ConcurrentQueue<string>();
        var threads = new ConcurrentBag<string?>();
        controller.RegisterCallbackForPinValueChangedEvent(9, PinEventTypes.Rising | PinEventTypes.Falling, (_, e) =>
        {
            both.Enqueue($"{e.PinNumber} {e.ChangeType} {((GpioEdgeArgs)e).LineSeqno}");
            threads.Add(Thread.CurrentThread.Name);
        });
        controller.RegisterCallbackForPinValueChangedEvent(9, PinEventTypes.Rising, (_, e) => rising.Enqueue($"{e.ChangeType}"));
        using var stop = new CancellationTokenSource();
        var dispatcher = DedicatedThread.Run("test-gpio", () => driver.DispatchEdges(stop.Token));

        _chips.SetLevel(Chip, 9, 1);
        _chips.SetLevel(Chip, 9, 0);
        await Eventually.True(() => both.Count == 2, "two edges");
        CollectionAssert.AreEqual(new[] { "9 Rising 1", "9 Falling 2" }, both.ToArray());
        CollectionAssert.AreEqual(new[] { "Rising" }, rising.ToArray());
        CollectionAssert.AreEqual(new[] { "test-gpio" }, threads.Distinct().ToArray());
        stop.Cancel();
        await dispatcher.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [TestMethod]
    public async Task MoreEdgesThanTheLineBuffersDropTheOldestAndTheNumberingShowsTheGap()
    {
        var driver = _chips.CreateDriver(Chip);
        using var controller = new GpioController(driver);
        controller.OpenPin(2, PinMode.Input);
        var seqnos = new ConcurrentQueue<uint>();
        controller.RegisterCallbackForPinValueChangedEvent(2, PinEventTypes.Rising | PinEventTypes.Falling,
            (_, e) => seqnos.Enqueue(((GpioEdgeArgs)e).LineSeqno));
        for (int i = 0; i < 20; i++) _chips.SetLevel(Chip, 2, (i + 1) % 2);
        using var stop = new CancellationTokenSource();
        var dispatcher = DedicatedThread.Run("test-gpio", () => driver.DispatchEdges(stop.Token));
        await Eventually.True(() => seqnos.Count == MemoryGpioChips.EventBufferSize, "the buffered edges");
        CollectionAssert.AreEqual(Enumerable.Range(5, 16).Select(n => (uint)n).ToArray(), seqnos.ToArray());
        stop.Cancel();
        await dispatcher.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [TestMethod]
    public void ALineDetectsNoEdgesUntilACallbackAsksAndNoneAfterTheLastIsRemoved()
    {
        using var controller = new GpioController(_chips.CreateDriver(Chip));
        controller.OpenPin(4, PinMode.Input);
        Assert.DoesNotContain("edge-rising", LineFlags(4));
        PinChangeEventHandler handler = (_, _) => { };
        controller.RegisterCallbackForPinValueChangedEvent(4, PinEventTypes.Falling, handler);
        CollectionAssert.AreEqual(new[] { "used", "input", "edge-falling" }, LineFlags(4));
        controller.UnregisterCallbackForPinValueChangedEvent(4, handler);
        CollectionAssert.AreEqual(new[] { "used", "input" }, LineFlags(4));
    }

    [TestMethod]
    public void AnOutputRefusesEdgeDetectionAndWaitForEventIsNotOffered()
    {
        using var controller = new GpioController(_chips.CreateDriver(Chip));
        controller.OpenPin(6, PinMode.Output, PinValue.Low);
        var error = Assert.Throws<GpioException>(() =>
            controller.RegisterCallbackForPinValueChangedEvent(6, PinEventTypes.Rising, (_, _) => { }));
        Assert.AreEqual("gpiochip0 line 6: edges are detected on inputs only", error.Message);
        CollectionAssert.AreEqual(new[] { "used", "output" }, LineFlags(6), "the refused callback left nothing behind");
        Assert.Throws<NotSupportedException>(() => controller.WaitForEvent(6, PinEventTypes.Rising, TimeSpan.FromMilliseconds(1)));
    }

    private string[] LineFlags(int line) => [.. _chips.ListChips()[0].Lines[line].Flags];
}
