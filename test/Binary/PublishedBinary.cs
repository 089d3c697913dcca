using Edge.Tests.Support;

namespace Edge.Tests.Binary;

/// <summary>
/// The native AOT binary, published once per test run with publish.sh (which fails on any trim/AOT
/// warning) unless TEST_EDGE_BINARY names an already published one (not EDGE_*: Edge would read that as
/// configuration); sets <see cref="EdgeProcess.BinaryPath"/>.
/// </summary>
public static class PublishedBinary
{
    private static readonly Lazy<Task> Published = new(Publish);

    public static Task Ensure() => Published.Value;

    private static async Task Publish()
    {
        string? given = Environment.GetEnvironmentVariable("TEST_EDGE_BINARY");
        if (string.IsNullOrEmpty(given))
        {
            var publish = await Tools.Run("bash", [Path.Combine(Repository.Root, "publish.sh")], TimeSpan.FromMinutes(10));
            Assert.AreEqual(0, publish.ExitCode, $"publish.sh failed:\n{publish.Output}\n{publish.Error}");
            given = Path.Combine(Repository.Root, "publish", "linux-x64", "edge");
        }
        EdgeProcess.BinaryPath = given;
    }
}
