using System.Collections.Concurrent;
using System.Device.Gpio;
using System.IO.Pipes;
using System.Runtime.InteropServices;
using Edge.Gpio;
using Edge.Gpio.Chardev;
using Edge.Runtime;
using Edge.Tests.Support;

namespace Edge.Tests.Gpio;

// No GPIO chip here (gpio-sim cannot be loaded in this container): these cover the paths before
// the kernel's GPIO code is reached, and the edge reader fed through a pipe. Real chips are
// covered by the board tests.
[TestClass]
public sealed class ChardevGpioDriverTests
{
    private string _dev = null!;

    [TestInitialize]
    public void Setup() => _dev = Directory.CreateTempSubdirectory("edge-dev-").FullName;

    [TestCleanup]
    public void Cleanup() => Directory.Delete(_dev, recursive: true);

    [TestMethod]
    public void WithoutChipsNoneAreListedAndOpeningSaysTheChipIsMissing()
    {
        var chips = new ChardevGpioChips(_dev);
        Assert.IsEmpty(chips.ListChips());
        using var controller = new GpioController(chips.CreateDriver("gpiochip0"));
        var error = Assert.Throws<GpioException>(() => controller.OpenPin(27, PinMode.InputPullUp));
        Assert.AreEqual("gpiochip0 does not exist", error.Message);
        Assert.IsFalse(controller.IsPinOpen(27));
    }

    [TestMethod]
    public void ANodeThatIsNotAChipIsListedWithItsErrorAndCannotBeOpened()
    {
        File.CreateSymbolicLink(Path.Combine(_dev, "gpiochip0"), "/dev/null");
        File.CreateSymbolicLink(Path.Combine(_dev, "gpiochip-notes"), "/dev/null");
        var chips = new ChardevGpioChips(_dev);
        var chip = chips.ListChips().Single();
        Assert.AreEqual("gpiochip0", chip.Name);
        StringAssert.StartsWith(chip.Error, "gpiochip0 is not a GPIO chip: GPIO_GET_CHIPINFO_IOCTL failed: ");
        StringAssert.EndsWith(chip.Error, "(ENOTTY)");
        using var controller = new GpioController(chips.CreateDriver("gpiochip0"));
        var error = Assert.Throws<GpioException>(() => controller.OpenPin(27, PinMode.InputPullUp));
        Assert.AreEqual(chip.Error, error.Message);
    }

    [TestMethod]
    public void ThisMachinesChipsAreTheDevGpiochipNodes()
        => Assert.HasCount(Directory.GetFiles("/dev", "gpiochip*").Length, new ChardevGpioChips().ListChips());

    [TestMethod]
    public async Task EdgesAreReadFromTheLineDescriptorUntilCanceled()
    {
        using var pipe = new AnonymousPipeServerStream(PipeDirection.Out);
        var line = new ChardevLine(27, "gpiochip0 line 27", (int)pipe.ClientSafePipeHandle.DangerousGetHandle());
        var edges = new ConcurrentQueue<string>();
        using var stop = new CancellationTokenSource();
        var reader = DedicatedThread.Run("test-gpio", () => ChardevEdgeReader.Run([line],
            (edged, rising, lineSeqno) => edges.Enqueue($"{edged.Offset} {(rising ? "rising" : "falling")} {lineSeqno}"), stop.Token));

        pipe.Write(Events((GpioIoctl.GPIO_V2_LINE_EVENT_FALLING_EDGE, 1), (GpioIoctl.GPIO_V2_LINE_EVENT_RISING_EDGE, 2)));
        pipe.Write(Events((GpioIoctl.GPIO_V2_LINE_EVENT_FALLING_EDGE, 5)));

        await Eventually.True(() => edges.Count == 3, "three edges");
        CollectionAssert.AreEqual(new[] { "27 falling 1", "27 rising 2", "27 falling 5" }, edges.ToArray());
        stop.Cancel();
        await reader.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [TestMethod]
    public async Task ALineThatHangsUpFailsTheReader()
    {
        var pipe = new AnonymousPipeServerStream(PipeDirection.Out);
        using var readEnd = pipe.ClientSafePipeHandle;
        var line = new ChardevLine(27, "gpiochip0 line 27", (int)readEnd.DangerousGetHandle());
        var reader = DedicatedThread.Run("test-gpio", () => ChardevEdgeReader.Run([line], (_, _, _) => { }, CancellationToken.None));
        pipe.Dispose();
        var error = await Assert.ThrowsAsync<GpioException>(() => reader.WaitAsync(TimeSpan.FromSeconds(5)));
        StringAssert.StartsWith(error.Message, "gpiochip0 line 27: the line stopped reporting edges");
    }

    private static byte[] Events(params (uint Id, uint LineSeqno)[] edges)
    {
        var records = new gpio_v2_line_event[edges.Length];
        for (int i = 0; i < edges.Length; i++)
            records[i] = new gpio_v2_line_event
            {
                id = edges[i].Id,
                offset = 27,
                line_seqno = edges[i].LineSeqno,
                seqno = edges[i].LineSeqno,
            };
        return MemoryMarshal.AsBytes(records.AsSpan()).ToArray();
    }
}
