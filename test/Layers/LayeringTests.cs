using System.Text.RegularExpressions;
using Edge.Tests.Support;

namespace Edge.Tests.Layers;

/// <summary>
/// The layer line of docs/ARCHITECTURE.md against the code: every folder of src/ is in it, each
/// file's namespace is its folder's, and no file names a folder later in the line.
/// </summary>
[TestClass]
public sealed partial class LayeringTests
{
    // "Layers, lowest first: `Native` → `Runtime` → … → `Program.cs`."
    private static List<string> Layers()
    {
        string line = File.ReadLines(Path.Combine(Repository.Root, "docs", "ARCHITECTURE.md"))
            .Single(l => l.StartsWith("Layers, lowest first:", StringComparison.Ordinal));
        return [.. Backticked().Matches(line).Select(m => m.Groups[1].Value)];
    }

    [TestMethod]
    public void EveryFolderOfSrcIsInTheLayerLineOnce()
    {
        var layers = Layers();
        Assert.AreEqual(layers.Count, layers.Distinct().Count(), string.Join(" → ", layers));
        var folders = Directory.EnumerateDirectories(Path.Combine(Repository.Root, "src")).Select(Path.GetFileName).Where(HasCode).ToList();
        CollectionAssert.AreEquivalent(folders, layers.Where(l => l != "Program.cs").ToList());
    }

    [TestMethod]
    public void NoFileUsesALaterLayerAndEveryNamespaceIsItsFolders()
    {
        var layers = Layers();
        var wrong = new List<string>();
        foreach (string file in Directory.EnumerateFiles(Path.Combine(Repository.Root, "src"), "*.cs", SearchOption.AllDirectories))
        {
            string relative = Path.GetRelativePath(Path.Combine(Repository.Root, "src"), file);
            string folder = relative.Contains(Path.DirectorySeparatorChar)
                ? relative[..relative.IndexOf(Path.DirectorySeparatorChar)]
                : "Program.cs";
            string code = WithoutCommentsAndStrings(File.ReadAllText(file));
            string expected = folder == "Program.cs"
                ? "Edge"
                : "Edge." + Path.GetDirectoryName(relative)!.Replace(Path.DirectorySeparatorChar, '.');
            string? declared = Namespace().Match(code) is { Success: true } m ? m.Groups[1].Value : null;
            if (declared != expected) wrong.Add($"{relative}: namespace {declared ?? "(none)"}, expected {expected}");
            int rank = layers.IndexOf(folder);
            foreach (string used in References().Matches(code).Select(r => r.Groups[1].Value).Distinct())
            {
                int usedRank = layers.IndexOf(used);
                if (used != folder && usedRank > rank) wrong.Add($"{relative} ({folder}) uses {used}, a later layer");
            }
        }
        Assert.IsEmpty(wrong, string.Join("\n", wrong));
    }

    [TestMethod]
    public void TheCheckSeesAnImportAgainstTheOrder()
    {
        // What the test above would meet if Runtime imported Web.
        string code =
            WithoutCommentsAndStrings("using Edge.Web;\n// Edge.Hosting in a comment\nvar s = \"Edge.Onvif\";\nnamespace Edge.Runtime;");
        CollectionAssert.AreEqual(new[] { "Web" }, References().Matches(code).Select(r => r.Groups[1].Value).ToList());
        Assert.AreEqual("Edge.Runtime", Namespace().Match(code).Groups[1].Value);
    }

    private static bool HasCode(string? folder)
        => Directory.EnumerateFiles(Path.Combine(Repository.Root, "src", folder!), "*.cs", SearchOption.AllDirectories).Any();

    // Logger categories and messages name parts too; only code counts.
    private static string WithoutCommentsAndStrings(string code) => Strings().Replace(Comments().Replace(code, ""), "\"\"");

    [GeneratedRegex("`([^`]+)`")]
    private static partial Regex Backticked();

    [GeneratedRegex(@"^namespace ([\w.]+);", RegexOptions.Multiline)]
    private static partial Regex Namespace();

    // Edge.X as a using or a qualified name, but not the namespace declaration itself.
    [GeneratedRegex(@"(?<!namespace )\bEdge\.([A-Z]\w*)")]
    private static partial Regex References();

    [GeneratedRegex(@"//[^\n]*|/\*.*?\*/", RegexOptions.Singleline)]
    private static partial Regex Comments();

    [GeneratedRegex(@"""(?:[^""\\\n]|\\.)*""")]
    private static partial Regex Strings();
}
