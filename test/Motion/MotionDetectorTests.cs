using Edge.Motion;

namespace Edge.Tests.Motion;

/// <summary>The detector on made-up pictures: a textured scene, a box that moves, light that changes, sensor noise.</summary>
[TestClass]
public sealed class MotionDetectorTests
{
    private const int Width = 160, Height = 120, Box = 16;
    private const double Rate = 5; // pictures a second

    // The top half watched, the bottom half not.
    private static readonly string[] TopHalf = ["####", "####", "....", "...."];

    [TestMethod]
    public void AStillSceneShowsNoMotion()
    {
        var detector = new MotionDetector();
        var scene = Scene();
        for (int i = 0; i < 20; i++) Assert.AreEqual(0.0, Analyse(detector, scene, i, 50, null), $"picture {i}");
    }

    [TestMethod]
    public void ABoxMovingInsideTheWatchedZoneIsMotionAndOneMovingOutsideItIsNone()
    {
        var inside = new MotionDetector();
        var outside = new MotionDetector();
        for (int i = 0; i < 20; i++)
        {
            // 20 pixels a picture: each place is clear of the one before.
            int left = 10 + i * 20 % 130;
            double top = Analyse(inside, WithBox(Scene(), left, 20), i, 50, TopHalf);
            double bottom = Analyse(outside, WithBox(Scene(), left, 80), i, 50, TopHalf);
            if (i == 0) continue; // the first picture is the background
            // At least the box's new place: 256 of the 9,600 watched pixels.
            Assert.IsGreaterThan(2.6, top, $"picture {i}: the box in the watched half");
            Assert.AreEqual(0.0, bottom, $"picture {i}: the box in the half not watched");
        }
    }

    [TestMethod]
    public void TheWholePictureGettingBrighterOrDarkerIsNotMotion()
    {
        var detector = new MotionDetector();
        var scene = Scene();
        Analyse(detector, scene, 0, 100, null);
        Analyse(detector, scene, 1, 100, null);
        // A light switched on (gain and offset), then off and dimmer than before: every pixel changes, by up to 40 levels.
        Assert.IsLessThan(0.5, Analyse(detector, Lit(scene, 1.15, 10), 2, 100, null), "brighter");
        Assert.IsLessThan(0.5, Analyse(detector, Lit(scene, 1.15, 10), 3, 100, null), "brighter, still");
        Assert.IsLessThan(0.5, Analyse(detector, Lit(scene, 0.8, -5), 4, 100, null), "darker");
        // The fit only takes out what the whole picture did: a box in a brighter picture is still seen.
        Assert.IsGreaterThan(1.0, Analyse(detector, WithBox(Lit(scene, 0.8, -5), 40, 40), 5, 50, null), "a box as the light changes");
    }

    [TestMethod]
    public void SensorNoiseIsNotMotionAtAHighSensitivityButABoxIs()
    {
        // ±3 levels in every pixel of every picture (a downscaled picture's noise is smaller); sensitivity 80 counts 12 levels.
        var detector = new MotionDetector();
        var random = new Random(7);
        for (int i = 0; i < 20; i++)
            Assert.AreEqual(0.0, Analyse(detector, Noisy(Scene(), random, 3), i, 80, null), $"picture {i}");
        Assert.IsGreaterThan(1.0, Analyse(detector, WithBox(Noisy(Scene(), random, 3), 60, 60), 20, 80, null));
    }

    [TestMethod]
    public void WhatStaysIsTakenIntoTheBackgroundWithinAFewTimesBackgroundSeconds()
    {
        var detector = new MotionDetector();
        Analyse(detector, Scene(), 0, 50, null);
        var parked = WithBox(Scene(), 50, 50);
        Assert.IsGreaterThan(1.0, Analyse(detector, parked, 1, 50, null), "a box that appears");
        int picture = 2;
        for (; picture < 2 + 4 * MotionDetector.BackgroundSeconds * Rate; picture++) Analyse(detector, parked, picture, 50, null);
        Assert.AreEqual(0.0, Analyse(detector, parked, picture, 50, null), "a box that stayed four times the background's seconds");
    }

    [TestMethod]
    public void AGridFinerThanThePictureLosesNoCell()
    {
        // 32 columns on a picture 16 pixels wide: only the last grid column watched, which is half of the last pixel column.
        string row = new string('.', 31) + "#";
        string[] zones = [row, row];
        var detector = new MotionDetector();
        var scene = Scene(16, 12);
        Analyse(detector, scene, 0, 50, zones, 16, 12);
        Assert.AreEqual(0.0, Analyse(detector, WithBox(scene, 0, 0, 12, 16), 1, 50, zones, 16, 12), "a box left of the last column");
        // The top 6 of its 12 pixels: half the watched area, which no change of light explains.
        Assert.AreEqual(50.0, Analyse(detector, WithBox(scene, 12, 0, 6, 16), 2, 50, zones, 16, 12), "a box over the last column");
    }

    [TestMethod]
    public void NewZonesOrANewSizeStartAgainFromTheNextPicture()
    {
        var detector = new MotionDetector();
        Analyse(detector, Scene(), 0, 50, null);
        Assert.AreEqual(0.0, Analyse(detector, WithBox(Scene(), 10, 10), 1, 50, TopHalf), "new zones: this picture is the background");
        Assert.IsGreaterThan(1.0, Analyse(detector, WithBox(Scene(), 40, 10), 2, 50, TopHalf));
        Assert.AreEqual(0.0, Analyse(detector, Scene(80, 60), 3, 50, TopHalf, 80, 60), "new size: this picture is the background");
    }

    private static double Analyse(MotionDetector detector, byte[] picture, int index, int sensitivity, string[]? zones,
        int width = Width, int height = Height)
        => detector.Analyse(picture, width, height, width, index / Rate, sensitivity, zones);

    // Vertical bars of eight greys from 40 to 180 with a gentle ramp down the picture: texture everywhere, nothing clipped when lit.
    private static byte[] Scene(int width = Width, int height = Height)
    {
        var picture = new byte[width * height];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                picture[y * width + x] = (byte)(40 + x * 8 / width * 20 + y * 20 / height);
        return picture;
    }

    private static byte[] WithBox(byte[] picture, int left, int top, int size = Box, int width = Width)
    {
        var copy = (byte[])picture.Clone();
        int height = copy.Length / width;
        for (int y = top; y < Math.Min(top + size, height); y++)
            for (int x = left; x < Math.Min(left + size, width); x++)
                copy[y * width + x] = (byte)(copy[y * width + x] < 128 ? 230 : 10);
        return copy;
    }

    private static byte[] Lit(byte[] picture, double gain, double offset)
        => [.. picture.Select(value => (byte)Math.Clamp(Math.Round(value * gain + offset), 0, 255))];

    private static byte[] Noisy(byte[] picture, Random random, int amplitude)
        => [.. picture.Select(value => (byte)Math.Clamp(value + random.Next(-amplitude, amplitude + 1), 0, 255))];
}
