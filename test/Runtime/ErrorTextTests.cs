using Edge.Runtime;
using Edge.Tests.Support;

namespace Edge.Tests.Runtime;

/// <summary>What clients read of an I/O failure: .NET's own messages, with the paths they quote taken out.</summary>
[TestClass]
public sealed class ErrorTextTests
{
    private static Exception Thrown(Action action)
    {
        try { action(); }
        catch (Exception e) { return e; }
        throw new AssertFailedException("nothing was thrown");
    }

    private static void Clean(string expected, Exception error, string folder)
    {
        StringAssert.Contains(error.Message, folder, "the message .NET wrote names the path");
        Assert.AreEqual(expected, ErrorText.WithoutPaths(error));
    }

    [TestMethod]
    public void ThePathsDotNetQuotesAreTakenOutWhereverTheyStand()
    {
        using var scratch = new ScratchFolder("edge-errortext-");
        string folder = scratch.Root;
        string file = Path.Combine(folder, "a.txt");
        File.WriteAllText(file, "a");
        Directory.CreateDirectory(Path.Combine(folder, "dir", "inside"));

        Clean("Could not find file.", Thrown(() => File.ReadAllBytes(Path.Combine(folder, "missing"))), folder);
        Clean("Could not find a part of the path.", Thrown(() => File.ReadAllBytes(Path.Combine(folder, "no", "such"))), folder);
        Clean("The file already exists.", Thrown(() => File.Copy(file, file, overwrite: false)), folder);
        Assert.IsFalse(ErrorText.WithoutPaths(Thrown(() => File.Move(file, Path.Combine(folder, "dir"), overwrite: true)))
            .Contains(folder));
        // As .NET words EACCES (not reproducible as root): the path sits inside the sentence.
        Assert.AreEqual("Access to the path is denied.",
            ErrorText.WithoutPaths(new UnauthorizedAccessException($"Access to the path '{file}' is denied.")));
        Assert.AreEqual("Read-only file system", ErrorText.WithoutPaths(new IOException($"Read-only file system : '{file}'")));
    }

    [TestMethod]
    public void AMessageWithoutAPathIsKeptAsItIs()
    {
        Assert.AreEqual("/dev/video0: VIDIOC_DQBUF failed: No such device (ENODEV)",
            ErrorText.WithoutPaths("/dev/video0: VIDIOC_DQBUF failed: No such device (ENODEV)"));
        Assert.AreEqual("a quote 'that is not a path'", ErrorText.WithoutPaths("a quote 'that is not a path'"));
        Assert.AreEqual("unclosed '/quote", ErrorText.WithoutPaths("unclosed '/quote"));
    }
}
