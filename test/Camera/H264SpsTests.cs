using Edge.Camera;
using Edge.Tests.Support;

namespace Edge.Tests.Camera;

/// <summary>The size in an SPS, checked against streams libx264 made at awkward sizes, layouts and profiles.</summary>
[TestClass]
public sealed class H264SpsTests
{
    [TestMethod]
    [DataRow("640x480", "yuv420p", "", DisplayName = "4:2:0, no cropping")]
    [DataRow("1920x1080", "yuv420p", "", DisplayName = "1080 rows: 1088 cropped by 8")]
    [DataRow("642x362", "yuv420p", "", DisplayName = "odd macroblock remainders, cropped both ways")]
    [DataRow("320x242", "yuv422p", "", DisplayName = "4:2:2 (High 4:2:2), crop unit 2×1")]
    [DataRow("322x240", "yuv444p", "", DisplayName = "4:4:4 (High 4:4:4), crop unit 1×1")]
    [DataRow("640x360", "yuv420p", "-flags +ildct -x264-params interlaced=1", DisplayName = "interlaced: field macroblock pairs")]
    [DataRow("352x288", "yuv420p", "-x264-params cqm=jvt", DisplayName = "with scaling matrices")]
    public async Task TheSizeIsTheOneTheEncoderWasGiven(string size, string pixelFormat, string extra)
    {
        using var scratch = new ScratchFolder("edge-sps-");
        string file = scratch.PathOf("clip.h264");
        var made = await Tools.Run("ffmpeg",
            ["-nostdin", "-v", "error", "-f", "lavfi", "-i", $"testsrc=size={size}:rate=10", "-frames:v", "2", "-pix_fmt", pixelFormat,
                "-c:v", "libx264", .. extra.Split(' ', StringSplitOptions.RemoveEmptyEntries), "-f", "h264", file]);
        Assert.AreEqual(0, made.ExitCode, made.Error);
        Assert.IsTrue(H264Sps.TryGetSize(File.ReadAllBytes(file), out int width, out int height));
        Assert.AreEqual(size, $"{width}x{height}");
    }

    [TestMethod]
    public async Task BrokenOrHostileParameterSetsGiveNoSizeAndNeverThrow()
    {
        // Exp-Golomb codes of 32 zero bits, a truncated set, and one over the length cap.
        Assert.IsFalse(H264Sps.TryParse([0x67, 0x42, 0x00, 0x1E, 0x00, 0x00, 0x00, 0x00, 0x00], out _, out _));
        Assert.IsFalse(H264Sps.TryParse([0x67, 0x64], out _, out _));
        Assert.IsFalse(H264Sps.TryParse(new byte[H264Sps.MaxBytes + 1], out _, out _));
        using var scratch = new ScratchFolder("edge-sps-");
        string file = scratch.PathOf("clip.h264");
        var made = await Tools.Run("ffmpeg",
            ["-nostdin", "-v", "error", "-f", "lavfi", "-i", "testsrc=size=1280x720:rate=10", "-frames:v", "1", "-c:v", "libx264", "-f",
                "h264", file]);
        Assert.AreEqual(0, made.ExitCode, made.Error);
        byte[] unit = File.ReadAllBytes(file);
        int position = 0;
        byte[] sps = [];
        while (H264Nal.Next(unit, ref position, out int start, out int length))
            if ((unit[start] & 0x1F) == 7) { sps = unit.AsSpan(start, length).ToArray(); break; }
        Assert.IsTrue(H264Sps.TryParse(sps, out int width, out int height));
        Assert.AreEqual((1280, 720), (width, height));
        Mutations.Run([sps, [0x00, 0x00, 0x01, .. sps]], input =>
        {
            H264Sps.TryParse(input, out _, out _);
            H264Sps.TryGetSize(input, out _, out _);
        });
    }
}
