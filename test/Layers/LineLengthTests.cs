using System.Text.RegularExpressions;
using Edge.Tests.Support;

namespace Edge.Tests.Layers;

/// <summary>
/// The <c>max_line_length = 140</c> of .editorconfig against the code: no line of a C# file under src/ or
/// test/ (the runtime benchmarks in test/bench/ too; npm's node_modules/ aside) is longer, counted as a C# string's length.
/// </summary>
[TestClass]
public sealed partial class LineLengthTests
{
    private const int MaxLength = 140;

    // Test data that cannot be wrapped without changing it: XML and JSON in multi-line raw string literals whose
    // lines hold long namespace URIs, entity declarations or a command line. Only the lines inside those literals
    // are exempt; the code around them is checked like any other.
    private static readonly string[] LongRawStrings =
    [
        "test/Camera/CameraFixtures.cs",
        "test/Onvif/DiscoveryClient.cs",
        "test/Onvif/OnvifSoapTests.cs",
        "test/Onvif/Soap.cs",
    ];

    [TestMethod]
    public void EveryCSharpLineInSrcAndTestIsAtMost140Characters()
    {
        var tooLong = new List<string>();
        foreach (string file in CSharpFiles("src").Concat(CSharpFiles("test")))
        {
            string relative = Path.GetRelativePath(Repository.Root, file).Replace(Path.DirectorySeparatorChar, '/');
            bool rawStringsExempt = LongRawStrings.Contains(relative);
            bool insideRawString = false;
            string[] lines = File.ReadAllLines(file);
            for (int i = 0; i < lines.Length; i++)
            {
                string line = lines[i];
                if (insideRawString)
                {
                    // A multi-line raw string literal ends on a line of its own that starts with the quotes.
                    if (!line.TrimStart().StartsWith("\"\"\"", StringComparison.Ordinal)) continue;
                    insideRawString = false;
                }
                else if (rawStringsExempt && OpensRawString(line))
                {
                    insideRawString = true;
                }
                if (line.Length > MaxLength)
                    tooLong.Add($"{relative}:{i + 1} ({line.Length})");
            }
        }
        Assert.IsEmpty(tooLong, $"Lines longer than {MaxLength} characters:\n{string.Join("\n", tooLong)}");
    }

    // node_modules/ holds npm packages for the test scripts.
    private static IEnumerable<string> CSharpFiles(string folder)
    {
        var pending = new Stack<string>([Path.Combine(Repository.Root, folder)]);
        while (pending.TryPop(out var directory))
        {
            foreach (string file in Directory.EnumerateFiles(directory, "*.cs")) yield return file;
            foreach (string child in Directory.EnumerateDirectories(directory))
                if (Path.GetFileName(child) != "node_modules") pending.Push(child);
        }
    }

    // A multi-line raw string literal opens at the end of a line, which holds no other run of three quotes.
    private static bool OpensRawString(string line)
        => line.TrimEnd().EndsWith("\"\"\"", StringComparison.Ordinal) && ThreeQuotes().Count(line) == 1;

    [GeneratedRegex("\"{3,}")]
    private static partial Regex ThreeQuotes();
}
