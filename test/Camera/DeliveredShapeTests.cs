using Edge.Camera;
using Edge.Tests.Support;

namespace Edge.Tests.Camera;

[TestClass]
public sealed class DeliveredShapeTests
{
    private readonly ManualClock _clock = new();

    private void Feed(DeliveredShape shape, int frames, TimeSpan interval, int width = 640, int height = 480, TimeSpan? every3rd = null)
    {
        for (int i = 0; i < frames; i++)
        {
            _clock.Advance(i % 3 == 2 && every3rd is { } other ? other : interval);
            var frame = Frame.Rent(16, PixelFormat.Jpeg, width, height, i, _clock.GetTimestamp());
            shape.Observe(frame);
            frame.Release();
        }
    }

    [TestMethod]
    public void TheRateIsTheSteadyOneAfterAStartingBurstAndAPauseDoesNotCount()
    {
        var shape = new DeliveredShape(_clock);
        Assert.AreEqual((0, 0, 0), (shape.Width, shape.Height, shape.Fps), "nothing known before frames");
        // An encoder starting: ten frames at once, then 25 fps paced as ffmpeg -re paces it (37, 37, 46 ms).
        Feed(shape, 10, TimeSpan.FromMilliseconds(1));
        Feed(shape, 75, TimeSpan.FromMilliseconds(37), every3rd: TimeSpan.FromMilliseconds(46));
        Assert.AreEqual((640, 480, 25), (shape.Width, shape.Height, shape.Fps));
        // Nobody watched for a minute; then 10 fps.
        _clock.Advance(TimeSpan.FromMinutes(1));
        Feed(shape, 60, TimeSpan.FromMilliseconds(100), 320, 240);
        Assert.AreEqual((320, 240, 10), (shape.Width, shape.Height, shape.Fps));
        shape.Reset();
        Assert.AreEqual((0, 0, 0), (shape.Width, shape.Height, shape.Fps));
    }
}
