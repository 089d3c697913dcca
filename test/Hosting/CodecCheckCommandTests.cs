using Edge.Hosting;

namespace Edge.Tests.Hosting;

/// <summary>
/// <c>edge codec-check</c> where there is no V4L2 (this machine): clear errors. The VM test (test/vm/run.sh)
/// runs it against vicodec, a real mem-to-mem codec driver.
/// </summary>
[TestClass]
public sealed class CodecCheckCommandTests
{
    private static async Task<(int Code, string Output, string Error)> Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = await CodecCheckCommand.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    [TestMethod]
    public void ItIsACommandOnlyAsTheFirstArgument()
    {
        var check = CommandLine.Parse(["codec-check", "--frames", "5"]);
        Assert.AreEqual(EdgeCommand.CodecCheck, check.Command);
        CollectionAssert.AreEqual(new[] { "--frames", "5" }, check.ConfigArgs);
    }

    [TestMethod]
    public async Task WithoutAnEncoderItSaysSoAndExitsOne()
    {
        var (code, output, error) = await Run("--frames", "2");
        Assert.AreEqual(1, code, output);
        StringAssert.Contains(error, "no V4L2 mem-to-mem H264 encoder was found");
        var named = await Run("--device", "/dev/null", "--coded", "fwht", "--frames", "2");
        Assert.AreEqual(1, named.Code);
        StringAssert.Contains(named.Error, "/dev/null: not a V4L2 device");
    }

    [TestMethod]
    [DataRow("--frames", "0")]
    [DataRow("--coded", "vp8")]
    [DataRow("--size", "641x480")]
    [DataRow("--fps", "x")]
    [DataRow("--frames", "300")] // 300 pictures of 640x480 would not fit the heap
    [DataRow("--nonsense", "1")]
    public async Task BadArgumentsExitWithTwoAndSayWhy(string name, string value)
    {
        var (code, _, error) = await Run(name, value);
        Assert.AreEqual(2, code);
        StringAssert.Contains(error, "usage: edge codec-check");
    }
}
