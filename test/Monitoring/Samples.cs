using Edge.Tests.Support;

namespace Edge.Tests.Monitoring;

/// <summary>The captured /proc and /sys trees under test/Monitoring/samples (see the README there).</summary>
internal static class Samples
{
    public const int PageSize = 4096;

    public static string Root(string sample) => Path.Combine(Repository.Root, "test", "Monitoring", "samples", sample);

    public static byte[] Read(string sample, string file) => File.ReadAllBytes(Path.Combine(Root(sample), file));

    /// <summary>A writable copy of a sample, so a test can move it on to a later one with <see cref="CopyOver"/>.</summary>
    public static string Copy(string sample)
    {
        string root = Directory.CreateTempSubdirectory("edge-sample-").FullName;
        CopyOver(sample, root);
        return root;
    }

    public static void CopyOver(string sample, string root)
    {
        string from = Root(sample);
        foreach (string file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(root, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target, overwrite: true);
        }
    }
}
