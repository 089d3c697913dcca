using Edge.Camera;

namespace Edge.Tests.Camera;

[TestClass]
public sealed class YuvConvertTests
{
    // Widths below, at and past the 8-pixel vector step, with padded rows (stride) as drivers deliver them.
    [TestMethod]
    [DataRow(2, 2, 0)]
    [DataRow(18, 4, 0)]
    [DataRow(320, 6, 64)]
    [DataRow(1280, 4, 0)]
    public void YuyvToPlanarMatchesAByteByByteSplitForBothLayouts(int width, int height, int padding)
    {
        int stride = width * 2 + padding;
        var source = Random(stride * height, seed: width);
        foreach (var layout in new[] { PixelFormat.I422, PixelFormat.I420 })
        {
            var actual = new byte[PixelFormats.PlanarBytes(layout, width, height)];
            YuvConvert.YuyvToPlanar(source, width, height, stride, layout, actual);
            CollectionAssert.AreEqual(ReferenceYuyv(source, width, height, stride, layout), actual, $"{layout} {width}x{height}");
        }
    }

    [TestMethod]
    [DataRow(2, 2, 0)]
    [DataRow(34, 4, 0)]
    [DataRow(640, 4, 128)]
    public void Nv12ToI420MatchesAByteByByteSplit(int width, int height, int padding)
    {
        int stride = width + padding;
        var source = Random(stride * height * 3 / 2, seed: width);
        var actual = new byte[width * height * 3 / 2];
        YuvConvert.Nv12ToI420(source, width, height, stride, actual);
        var expected = new byte[actual.Length];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++) expected[y * width + x] = source[y * stride + x];
        int cw = width / 2, ch = height / 2;
        for (int y = 0; y < ch; y++)
            for (int x = 0; x < cw; x++)
            {
                expected[width * height + y * cw + x] = source[stride * height + y * stride + 2 * x];
                expected[width * height + cw * ch + y * cw + x] = source[stride * height + y * stride + 2 * x + 1];
            }
        CollectionAssert.AreEqual(expected, actual);
    }

    [TestMethod]
    public void OddSizesAndShortFramesAreRefused()
    {
        var buffer = new byte[1000];
        Assert.ThrowsExactly<ArgumentException>(() => YuvConvert.YuyvToPlanar(buffer, 3, 2, 6, PixelFormat.I422, new byte[100]));
        Assert.ThrowsExactly<ArgumentException>(() =>
            YuvConvert.YuyvToPlanar(buffer, 320, 240, 640, PixelFormat.I422, new byte[320 * 240 * 2]));
        Assert.ThrowsExactly<ArgumentException>(() => YuvConvert.Nv12ToI420(buffer, 64, 64, 64, new byte[64 * 64 * 3 / 2]));
    }

    private static byte[] ReferenceYuyv(byte[] source, int width, int height, int stride, PixelFormat layout)
    {
        int ch = layout == PixelFormat.I420 ? height / 2 : height, cw = width / 2;
        var planes = new byte[width * height + 2 * cw * ch];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                planes[y * width + x] = source[y * stride + 2 * x];
                if (x % 2 == 0 && (layout == PixelFormat.I422 || y % 2 == 0))
                {
                    int row = layout == PixelFormat.I420 ? y / 2 : y;
                    planes[width * height + row * cw + x / 2] = source[y * stride + 2 * x + 1];
                    planes[width * height + cw * ch + row * cw + x / 2] = source[y * stride + 2 * x + 3];
                }
            }
        return planes;
    }

    private static byte[] Random(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
