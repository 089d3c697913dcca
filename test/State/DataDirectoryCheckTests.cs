using Edge.State;
using Edge.Tests.Support;

namespace Edge.Tests.State;

[TestClass]
public sealed class DataDirectoryCheckTests
{
    [TestMethod]
    public void AWritableDirectoryWithRoomPassesAndKeepsNothing()
    {
        using var folder = new ScratchFolder("edge-check-");
        DataDirectoryCheck.Run(folder.Root, reserveBytes: 0);
        Assert.IsEmpty(Directory.GetFileSystemEntries(folder.Root), "the check's file is gone");
    }

    [TestMethod]
    public void ADirectoryBelowItsReserveFailsWithTheFreeSpace()
    {
        using var folder = new ScratchFolder("edge-check-");
        var error = Assert.ThrowsExactly<IOException>(() => DataDirectoryCheck.Run(folder.Root, EdgeServer.MoreThanFreeSpace()));
        StringAssert.Contains(error.Message, "not enough free space");
    }

    [TestMethod]
    public void AMissingDirectoryFails()
        => Assert.Throws<IOException>(() =>
            DataDirectoryCheck.Run(Path.Combine(Path.GetTempPath(), $"edge-absent-{Guid.NewGuid():N}", "data"), 0));
}
