using System.Text.RegularExpressions;
using Edge.Camera.V4l2;
using Edge.Native;
using Edge.Tests.Support;

namespace Edge.Tests.Camera;

// No camera here: these cover what fails before a driver is involved and the pure helpers.
// Streaming is covered against the vivid driver elsewhere.
[TestClass]
public sealed class V4l2DeviceTests
{
    private const string Missing = "/dev/video-edge-missing";

    [TestMethod]
    public void OpeningAMissingNodeThrowsNamingThePathAndEnoent()
    {
        var error = Assert.Throws<V4l2Exception>(() => V4l2Device.Open(Missing));
        StringAssert.Contains(error.Message, Missing);
        StringAssert.Contains(error.Message, "No such file or directory (ENOENT)");
        Assert.AreEqual(2, error.Errno); // ENOENT
        Assert.IsFalse(error.Disconnected);
    }

    [TestMethod]
    public void ACharacterDeviceThatIsNotV4l2IsRefusedBeforeItIsOpened()
    {
        var error = Assert.Throws<V4l2Exception>(() => V4l2Device.Open("/dev/null"));
        Assert.AreEqual("/dev/null: not a V4L2 device: character device 1:3 (V4L2 devices are 81:N)", error.Message);
        Assert.AreEqual(Libc.ENOTTY, error.Errno);
    }

    [TestMethod]
    public void AFifoOrAPlainFileIsNeverOpenedAsACamera()
    {
        string dir = Directory.CreateTempSubdirectory("edge-node-").FullName;
        try
        {
            string fifo = Path.Combine(dir, "fifo"), file = Path.Combine(dir, "file");
            File.CreateSymbolicLink(Path.Combine(dir, "link"), "/dev/zero");
            Assert.AreEqual(0, Tools.Run("mkfifo", [fifo]).Result.ExitCode);
            File.WriteAllText(file, "x");
            foreach (string path in new[] { fifo, file })
                Assert.AreEqual($"{path}: not a V4L2 device: not a device node",
                    Assert.Throws<V4l2Exception>(() => V4l2Device.Open(path)).Message);
            // A link is followed to what it names.
            StringAssert.Contains(V4l2Device.NodeProblem(Path.Combine(dir, "link")), "character device 1:5");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    public void DescribeReturnsNullForNodesThatCannotBeOpenedOrAreNotV4l2()
    {
        Assert.IsNull(V4l2Device.Describe(Missing));
        Assert.IsNull(V4l2Device.Describe("/dev/null"));
    }

    [TestMethod]
    public void FindDevicesReturnsTheVideoNodesAndNoneOnAMachineWithoutCameras()
    {
        var nodes = Directory.GetFiles("/dev").Where(path => Regex.IsMatch(Path.GetFileName(path), @"^video\d+$")).ToList();
        CollectionAssert.AreEquivalent(nodes, V4l2Device.FindDevices().ToList());
    }

    [TestMethod]
    public void DeviceNodesSortByNumberAndOtherNamesAreDropped()
    {
        string[] found = ["/dev/video10", "/dev/video1", "/dev/video-legacy", "/dev/video0", "/dev/videoX", "/dev/video2", "/dev/video"];
        CollectionAssert.AreEqual(
            new[] { "/dev/video0", "/dev/video1", "/dev/video2", "/dev/video10" },
            V4l2Device.SortDeviceNodes(found).ToList());
    }

    [TestMethod]
    public void FourccsRoundTripThroughTheirText()
    {
        Assert.AreEqual(V4l2Ioctl.V4L2_PIX_FMT_MJPEG, V4l2Device.Fourcc("MJPG"));
        Assert.AreEqual("YU12", V4l2Device.FourccText(V4l2Ioctl.V4L2_PIX_FMT_YUV420));
        Assert.AreEqual("Y10 ", V4l2Device.FourccText(V4l2Device.Fourcc("Y10 ")));
        Assert.AreEqual("AB??", V4l2Device.FourccText('A' | 'B' << 8 | 0x01u << 16 | 0x80u << 24));
        Assert.Throws<ArgumentException>(() => V4l2Device.Fourcc("MJPEG"));
        Assert.Throws<ArgumentException>(() => V4l2Device.Fourcc("MJ\u00e9G"));
    }

    [TestMethod]
    public void KnownFormatsHaveEdgeNamesAndOthersKeepTheirFourcc()
    {
        Assert.AreEqual("mjpeg", V4l2Device.FormatName(V4l2Ioctl.V4L2_PIX_FMT_MJPEG));
        Assert.AreEqual("yuyv", V4l2Device.FormatName(V4l2Ioctl.V4L2_PIX_FMT_YUYV));
        Assert.AreEqual("nv12", V4l2Device.FormatName(V4l2Ioctl.V4L2_PIX_FMT_NV12));
        Assert.AreEqual("i420", V4l2Device.FormatName(V4l2Ioctl.V4L2_PIX_FMT_YUV420));
        Assert.AreEqual("h264", V4l2Device.FormatName(V4l2Ioctl.V4L2_PIX_FMT_H264));
        Assert.AreEqual("JPEG", V4l2Device.FormatName(V4l2Ioctl.V4L2_PIX_FMT_JPEG));
        Assert.AreEqual("RGB3", V4l2Device.FormatName(V4l2Device.Fourcc("RGB3")));
    }

    [TestMethod]
    public void SizeRangesOfferTheCommonSizesThatFitTheirBoundsAndSteps()
    {
        var continuous = new V4l2SizeRange(16, 1920, 1, 16, 1080, 1);
        CollectionAssert.AreEqual(
            new[] { (640, 480), (1280, 720), (1920, 1080) },
            V4l2Device.SizesWithin(continuous).ToArray());

        var upTo720p = new V4l2SizeRange(160, 1280, 16, 120, 720, 8);
        CollectionAssert.AreEqual(new[] { (640, 480), (1280, 720) }, V4l2Device.SizesWithin(upTo720p).ToArray());

        // 1080 is not a multiple of 240: no 1080p although it is inside the bounds.
        var coarse = new V4l2SizeRange(0, 4096, 128, 0, 2160, 240);
        CollectionAssert.AreEqual(new[] { (640, 480), (1280, 720) }, V4l2Device.SizesWithin(coarse).ToArray());
    }

    [TestMethod]
    public void FpsRangesOfferTheirMaximumAndTheCommonRatesBelowIt()
    {
        CollectionAssert.AreEqual(new[] { 30.0, 25, 24, 20, 15, 10, 5 }, V4l2Device.RatesWithin(new V4l2FpsRange(1, 30)).ToArray());
        CollectionAssert.AreEqual(new[] { 29.97, 25, 24, 20, 15 }, V4l2Device.RatesWithin(new V4l2FpsRange(15, 29.97)).ToArray());
    }

    [TestMethod]
    public void FrameIntervalsConvertToFpsAndBack()
    {
        Assert.AreEqual(30, V4l2Device.Fps(new v4l2_fract { numerator = 1, denominator = 30 }));
        Assert.AreEqual(29.97, V4l2Device.Fps(new v4l2_fract { numerator = 1001, denominator = 30000 }));
        Assert.AreEqual(0, V4l2Device.Fps(default));

        var whole = V4l2Device.TimePerFrame(25);
        Assert.AreEqual((1u, 25u), (whole.numerator, whole.denominator));
        var ntsc = V4l2Device.TimePerFrame(29.97);
        Assert.AreEqual((1000u, 29970u), (ntsc.numerator, ntsc.denominator));
    }
}
