using Edge.State;
using Edge.Tests.Support;

namespace Edge.Tests.State;

[TestClass]
public sealed class StorageHealthTests
{
    private readonly ManualClock _clock = new();
    private readonly TestLog _log = new();

    private int Lines(string text) => _log.Lines.Count(l => l.Contains(text));

    [TestMethod]
    public void AFailingWriterIsLoggedOncePerCauseAndProblemsClearOnSuccess()
    {
        var health = new StorageHealth(_clock, _log);
        for (int i = 0; i < 100; i++) health.Failed("event journal", new IOException("No space left on device"));
        Assert.AreEqual(1, Lines("Cannot write the event journal"));
        Assert.AreEqual("No space left on device", health.Problems.Single().Error);
        health.Failed("event journal", new IOException("Read-only file system"));
        Assert.AreEqual(2, Lines("Cannot write the event journal"), "a new cause is logged");
        Assert.AreEqual("Read-only file system", health.Problems.Single().Error);
        health.Succeeded("event journal");
        Assert.IsEmpty(health.Problems);
        Assert.AreEqual(1, Lines("to the data directory works again"));
        Assert.AreEqual(101, health.Failures.Single().Value);
    }

    [TestMethod]
    public void AWriterThatComesAndGoesIsLoggedAtMostOnceAMinute()
    {
        var health = new StorageHealth(_clock, _log);
        for (int i = 0; i < 50; i++)
        {
            health.Failed("camera settings", new IOException("No space left on device"));
            health.Succeeded("camera settings");
            _clock.Advance(TimeSpan.FromSeconds(1));
        }
        Assert.AreEqual(1, Lines("Cannot write the camera settings"), "50 s of flapping");
        Assert.AreEqual(1, Lines("Writing the camera settings to the data directory works again"));
        _clock.Advance(TimeSpan.FromSeconds(15));
        health.Failed("camera settings", new IOException("No space left on device"));
        health.Succeeded("camera settings");
        Assert.AreEqual(2, Lines("Cannot write the camera settings"), "a minute later");
        Assert.AreEqual(2, Lines("Writing the camera settings to the data directory works again"));
        Assert.IsEmpty(health.Problems);
    }

    [TestMethod]
    public void FailuresThatDifferOnlyInTheFileTheyNameAreOneCause()
    {
        var health = new StorageHealth(_clock, _log);
        for (int i = 0; i < 20; i++) health.Failed("uploaded files", new IOException($"Read-only file system : '/data/files/.upload-{i}'"));
        Assert.AreEqual(1, Lines("Cannot write the uploaded files"));
        Assert.AreEqual("Read-only file system", health.Problems.Single().Error, "no path in what /readyz shows");
    }

    [TestMethod]
    public void APassedCheckClearsTheWritersThatFailedBeforeItBeganButNotOneThatFailedWhileItRan()
    {
        var health = new StorageHealth(_clock, _log);
        Assert.IsFalse(health.AnyFailing);
        health.Failed("uploaded files", new IOException("No space left on device"));
        health.Failed("snapshots", new IOException("No space left on device"));
        Assert.IsTrue(health.AnyFailing);

        long mark = health.FailureMark;
        health.Failed("event journal", new IOException("Read-only file system")); // while the check ran
        health.Checked(mark);

        Assert.AreEqual("event journal", health.Problems.Single().Writer);
        Assert.IsTrue(health.AnyFailing);
        Assert.AreEqual(2, Lines("to the data directory works again"), "each cleared writer's recovery is logged");
        health.Checked(health.FailureMark);
        Assert.IsFalse(health.AnyFailing);
    }
}
