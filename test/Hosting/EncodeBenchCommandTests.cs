using System.Text.Json;
using Edge.Hosting;

namespace Edge.Tests.Hosting;

[TestClass]
public sealed class EncodeBenchCommandTests
{
    private string _dir = null!;

    [TestInitialize]
    public void Setup() => _dir = Directory.CreateTempSubdirectory("edge-bench-encode-").FullName;

    [TestCleanup]
    public void Cleanup() => Directory.Delete(_dir, recursive: true);

    private static async Task<(int Code, string Output, string Error)> Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = await EncodeBenchCommand.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    [TestMethod]
    public void ItIsACommandOnlyAsTheFirstArgument()
    {
        var bench = CommandLine.Parse(["bench-encode", "--input", "f", "--size", "32x16"]);
        Assert.AreEqual(EdgeCommand.BenchEncode, bench.Command);
        CollectionAssert.AreEqual(new[] { "--input", "f", "--size", "32x16" }, bench.ConfigArgs);
        Assert.AreEqual(EdgeCommand.Run, CommandLine.Parse(["--urls", "bench-encode"]).Command);
    }

    [TestMethod]
    public async Task EncodesTheFramesThroughThePoolAndPrintsOneJsonLine()
    {
        // Four 32×16 YUYV frames of a ramp: real detail, tiny size.
        string input = Path.Combine(_dir, "frames.yuyv");
        File.WriteAllBytes(input, Enumerable.Range(0, 4 * 32 * 16 * 2).Select(i => (byte)(i * 7)).ToArray());

        var (code, output, error) = await Run("--input", input, "--size", "32x16", "--workers", "2", "--seconds", "0.2", "--quality", "90");

        Assert.AreEqual(0, code, error);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.AreEqual(2, root.GetProperty("workers").GetInt32());
        Assert.IsTrue(root.GetProperty("frames").GetInt64() > 0);
        Assert.IsTrue(root.GetProperty("seconds").GetDouble() >= 0.2);
        Assert.IsTrue(root.GetProperty("fps").GetDouble() > 0);
        Assert.IsTrue(root.GetProperty("bytes_per_frame").GetInt64() > 100, "a JPEG has at least its headers");
    }

    [TestMethod]
    public async Task BadArgumentsExitWithTwoAndSayWhy()
    {
        string input = Path.Combine(_dir, "short.yuyv");
        File.WriteAllBytes(input, new byte[1000]);
        string[][] cases =
        [
            [],
            ["--input", input],
            ["--input", input, "--size", "32x15"],
            ["--input", input, "--size", "big"],
            ["--input", input, "--size", "32x16", "--workers", "0"],
            ["--input", input, "--size", "32x16", "--seconds", "-1"],
            ["--input", input, "--size", "32x16", "--quality", "101"],
            ["--input", input, "--size", "32x16", "--colour", "red"],
            ["--input", input, "--size", "32x16", "--workers"],
            ["--input", input, "--size", "32x16"], // 1000 bytes is not a whole number of 1024-byte frames
            ["--input", Path.Combine(_dir, "missing"), "--size", "32x16"],
        ];
        foreach (var args in cases)
        {
            var (code, output, error) = await Run(args);
            Assert.AreEqual(2, code, string.Join(' ', args));
            Assert.AreEqual("", output);
            StringAssert.StartsWith(error, "edge bench-encode: ");
        }
    }
}
