namespace Edge.Tests.Support;

/// <summary>Files of the repository the tests run from (scripts, npm packages installed by test/run.sh).</summary>
public static class Repository
{
    /// <summary>The folder holding Edge.csproj.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>
    /// A test script whose npm package <paramref name="package"/> test/run.sh installs next to it; fails
    /// the test when it is missing.
    /// </summary>
    public static string NodeScript(string folder, string script, string package)
    {
        if (!Directory.Exists(Path.Combine(Root, "test", folder, "node_modules", package)))
            Assert.Fail($"The npm package {package} is missing: run test/run.sh, which installs it.");
        return Path.Combine(Root, "test", folder, script);
    }

    private static string FindRoot()
    {
        string root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "Edge.csproj")))
            root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("repository root not found");
        return root;
    }
}
