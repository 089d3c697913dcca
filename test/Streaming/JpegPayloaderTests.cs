using System.Buffers.Binary;
using Edge.Camera;
using Edge.Streaming;
using Edge.Tests.Support;

namespace Edge.Tests.Streaming;

[TestClass]
public sealed class JpegPayloaderTests
{
    private const int MaxPayload = 1000;
    private const byte JpegPayloadType = 26;

    [TestMethod]
    [DataRow(PixelFormat.I420, 320, 240, 1)]
    [DataRow(PixelFormat.I422, 320, 240, 0)]
    [DataRow(PixelFormat.I420, 100, 60, 1)]
    public void FragmentsCarryTypeSizeTheQuantisationTablesAndTheWholeScan(PixelFormat layout, int width, int height, int type)
    {
        byte[] jpeg = Encode(layout, width, height);
        var frame = Fragment(jpeg);
        Assert.IsGreaterThan(2, frame.Fragments.Count);
        CollectionAssert.AreEqual(frame.Fragments.Select((_, i) => i == frame.Fragments.Count - 1).ToArray(),
            frame.Fragments.Select(f => f.Marker).ToArray());
        var received = Receive(frame, jpeg);
        Assert.AreEqual((type, (width + 7) / 8, (height + 7) / 8, 0),
            (received.Type, received.Width, received.Height, received.RestartInterval));
        var source = JpegParts.Read(jpeg);
        CollectionAssert.AreEqual(source.Tables, received.Tables, "the luma then the chroma table of the DQT");
        CollectionAssert.AreEqual(source.Scan, received.Scan);
        Assert.AreEqual(source.ScanStart, frame.Fragments[0].DataOffset, "the data is the frame's own bytes");
    }

    // The receiver's Huffman tables are Edge's: that TurboJPEG's JPEGs are accepted shows they are the standard ones.
    [TestMethod]
    [DataRow(PixelFormat.I420, 320, 240)]
    [DataRow(PixelFormat.I422, 320, 240)]
    [DataRow(PixelFormat.I420, 100, 60)]
    public async Task AJpegRebuiltAsReceiversDoDecodesToTheSamePicture(PixelFormat layout, int width, int height)
    {
        byte[] jpeg = Encode(layout, width, height);
        var received = Receive(Fragment(jpeg), jpeg);
        await AssertSamePicture(jpeg, received.Jpeg(), width, height);
    }

    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public async Task FfmpegReceivesTheFramesOverRtpAndDecodesTheSamePicture(bool restartMarkers)
    {
        byte[] jpeg = restartMarkers
            ? await Ffmpeg("yuvj420p", "-huffman", "default", "-thread_type", "slice", "-threads", "2")
            : Encode(PixelFormat.I420, 320, 240);
        var frame = Fragment(jpeg);
        var rtp = new RtpPackets(JpegPayloadType);
        uint timestamp = 0;
        var received = await FfmpegRtpReceiver.Receive(JpegPayloadType, "JPEG", null, ["-frames:v", "3", "-f", "framemd5", "-"],
            () => rtp.Send(frame, jpeg, timestamp += 3600));
        Assert.AreEqual(0, received.ExitCode, received.Error);
        string file = Path.GetTempFileName();
        try
        {
            await File.WriteAllBytesAsync(file, jpeg);
            var decoded = await Tools.Run("ffmpeg", ["-nostdin", "-v", "error", "-i", file, "-f", "framemd5", "-"]);
            string expected = FfmpegRtpReceiver.FrameMd5s(decoded.Output).Single();
            CollectionAssert.AreEqual(new[] { expected, expected, expected }, FfmpegRtpReceiver.FrameMd5s(received.Output), received.Error);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [TestMethod]
    public void AnInsertedRestartIntervalGivesType64AndARestartHeaderInEveryPacket()
    {
        byte[] plain = Encode(PixelFormat.I420, 320, 240);
        byte[] jpeg = [.. plain[..2], 0xFF, 0xDD, 0, 4, 0x01, 0x02, .. plain[2..]];
        var frame = Fragment(jpeg);
        var received = Receive(frame, jpeg);
        Assert.AreEqual((65, 0x0102), (received.Type, received.RestartInterval));
        Assert.AreEqual(8 + 4 + 132, frame.Fragments[0].HeaderLength);
        Assert.IsTrue(frame.Fragments.Skip(1).All(f => f.HeaderLength == 8 + 4), "main and restart marker headers in every later packet");
        CollectionAssert.AreEqual(JpegParts.Read(plain).Scan, received.Scan);
    }

    [TestMethod]
    public async Task AnFfmpegJpegWithRestartMarkersIsRebuiltAndDecodes()
    {
        // ffmpeg's slice-threaded MJPEG encoder puts a restart marker after every row of macroblocks.
        byte[] jpeg = await Ffmpeg("yuvj420p", "-huffman", "default", "-thread_type", "slice", "-threads", "2");
        var received = Receive(Fragment(jpeg), jpeg);
        Assert.AreEqual((65, 320 / 16), (received.Type, received.RestartInterval));
        await AssertSamePicture(jpeg, received.Jpeg(), 320, 240);
    }

    [TestMethod]
    public async Task AJpegWithoutHuffmanTablesAsFromUvcCamerasIsSentAsOneWithTheStandardOnes()
    {
        byte[] jpeg = Encode(PixelFormat.I422, 320, 240);
        var tables = JpegParts.Read(jpeg).Segments.Where(s => s.Marker == 0xC4).ToList();
        Assert.IsNotEmpty(tables);
        byte[] stripped = [.. jpeg.Where((_, i) => !tables.Any(s => i >= s.Start && i < s.Start + s.Length))];
        var received = Receive(Fragment(stripped), stripped);
        CollectionAssert.AreEqual(Receive(Fragment(jpeg), jpeg).Scan, received.Scan);
        await AssertSamePicture(jpeg, received.Jpeg(), 320, 240);
    }

    [TestMethod]
    public async Task OptimisedHuffmanTablesAreRefusedAndTheStandardOnesOfTheSameEncoderAccepted()
    {
        byte[] optimal = await Ffmpeg("yuvj420p", "-huffman", "optimal");
        byte[] standard = await Ffmpeg("yuvj420p", "-huffman", "default");
        CollectionAssert.AreNotEqual(Dht(standard), Dht(optimal), "ffmpeg wrote tables of its own");
        Assert.IsFalse(new JpegPayloader().TryFragment(optimal, MaxPayload, new RtpFrame(), out var problem));
        StringAssert.Contains(problem, "not the standard one");
        var received = Receive(Fragment(standard), standard);
        await AssertSamePicture(standard, received.Jpeg(), 320, 240);

        static byte[] Dht(byte[] jpeg)
            => [.. JpegParts.Read(jpeg).Segments.Where(s => s.Marker == 0xC4).SelectMany(s => jpeg[s.Start..(s.Start + s.Length)])];
    }

    [TestMethod]
    public async Task A444JpegIsRefusedForItsSampling()
    {
        byte[] jpeg = await Ffmpeg("yuvj444p", "-huffman", "default");
        Assert.IsFalse(new JpegPayloader().TryFragment(jpeg, MaxPayload, new RtpFrame(), out var problem));
        StringAssert.Contains(problem, "4:4:4");
    }

    [TestMethod]
    public void ProgressiveOversizedAndTruncatedJpegsAreRefusedWithTheReasonAndNoFragments()
    {
        byte[] jpeg = Encode(PixelFormat.I420, 64, 48);
        var sof = JpegParts.Read(jpeg).Segments.Single(s => s.Marker == 0xC0);
        byte[] progressive = [.. jpeg];
        progressive[sof.Start + 1] = 0xC2;
        var cases = new (byte[] Jpeg, string Reason)[]
        {
            (progressive, "progressive"),
            (Encode(PixelFormat.I420, 2048, 16), "larger than the 2040×2040"),
            (jpeg[..^2], "truncated"),
            (jpeg[..(sof.Start + 6)], "truncated"),
            ([.. jpeg[..^2], 0xFF, 0xDA, 0, 2, 0xFF, 0xD9], "after the scan data"),
            ("not a jpeg"u8.ToArray(), "no SOI"),
        };
        var payloader = new JpegPayloader();
        var frame = Fragment(jpeg);
        foreach (var (bad, reason) in cases)
        {
            Assert.IsFalse(payloader.TryFragment(bad, MaxPayload, frame, out var problem), reason);
            StringAssert.Contains(problem, reason);
            Assert.IsEmpty(frame.Fragments);
            Assert.AreEqual(0, frame.HeaderLength);
        }
    }

    [TestMethod]
    public void AMaxPayloadWithoutRoomForTheFirstPacketsHeadersIsAnArgumentError()
    {
        byte[] plain = Encode(PixelFormat.I420, 64, 48);
        byte[] jpeg = [.. plain[..2], 0xFF, 0xDD, 0, 4, 0, 1, .. plain[2..]]; // the largest first packet: with a restart marker header
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() =>
            new JpegPayloader().TryFragment(jpeg, JpegPayloader.MinPayload - 1, new RtpFrame(), out _));
        var frame = new RtpFrame();
        Assert.IsTrue(new JpegPayloader().TryFragment(jpeg, JpegPayloader.MinPayload, frame, out _));
        Assert.AreEqual(1, frame.Fragments[0].DataLength);
    }

    [TestMethod]
    public void AReusedFrameAllocatesNothingOnceItHasGrown()
    {
        byte[] jpeg = Encode(PixelFormat.I420, 320, 240);
        var payloader = new JpegPayloader();
        var frame = new RtpFrame();
        payloader.TryFragment(jpeg, 200, frame, out _);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++) payloader.TryFragment(jpeg, 200, frame, out _);
        Assert.AreEqual(before, GC.GetAllocatedBytesForCurrentThread());
    }

    private static RtpFrame Fragment(byte[] jpeg)
    {
        var frame = new RtpFrame();
        Assert.IsTrue(new JpegPayloader().TryFragment(jpeg, MaxPayload, frame, out var problem), problem);
        Assert.IsNull(problem);
        return frame;
    }

    private static RtpJpegReceiver Receive(RtpFrame frame, byte[] jpeg)
    {
        var rtp = new RtpPackets(JpegPayloadType);
        return RtpJpegReceiver.Receive(rtp.Receive(rtp.Send(frame, jpeg, timestamp: 90000), MaxPayload));
    }

    // ffprobe reads the rebuilt JPEG without complaint at the size in whole blocks, and ffmpeg decodes the
    // picture inside it to the same pixels as the original.
    private static async Task AssertSamePicture(byte[] original, byte[] rebuilt, int width, int height)
    {
        string originalFile = Path.GetTempFileName(), rebuiltFile = Path.GetTempFileName();
        try
        {
            await File.WriteAllBytesAsync(originalFile, original);
            await File.WriteAllBytesAsync(rebuiltFile, rebuilt);
            var probe = await Tools.Run("ffprobe", ["-v", "error", "-show_entries", "stream=width,height", "-of", "csv=p=0", rebuiltFile]);
            Assert.AreEqual((0, ""), (probe.ExitCode, probe.Error));
            Assert.AreEqual($"{(width + 7) / 8 * 8},{(height + 7) / 8 * 8}", probe.Output.Trim());
            string expected = await DecodedMd5(originalFile, width, height), actual = await DecodedMd5(rebuiltFile, width, height);
            Assert.AreEqual(expected, actual);
        }
        finally
        {
            File.Delete(originalFile);
            File.Delete(rebuiltFile);
        }
    }

    private static async Task<string> DecodedMd5(string file, int width, int height)
    {
        var decoded = await Tools.Run("ffmpeg",
            ["-nostdin", "-v", "error", "-i", file, "-vf", $"crop={width}:{height}:0:0", "-f", "md5", "-"]);
        Assert.AreEqual((0, ""), (decoded.ExitCode, decoded.Error));
        StringAssert.StartsWith(decoded.Output, "MD5=");
        return decoded.Output.Trim();
    }

    private static byte[] Encode(PixelFormat layout, int width, int height)
    {
        var raw = Frame.Rent(PixelFormats.PlanarBytes(layout, width, height), layout, width, height, 1, 0);
        for (int i = 0; i < raw.Length; i++) raw.Buffer[i] = (byte)(i * 7 + i / width * 3);
        try
        {
            var jpeg = JpegEncoder.ForThisThread.Encode(raw, 80);
            try { return jpeg.Data.ToArray(); }
            finally { jpeg.Release(); }
        }
        finally
        {
            raw.Release();
        }
    }

    private static async Task<byte[]> Ffmpeg(string pixelFormat, params string[] options)
    {
        string file = Path.GetTempFileName();
        try
        {
            var made = await Tools.Run("ffmpeg", ["-nostdin", "-v", "error", "-f", "lavfi", "-i", "testsrc=size=320x240", "-frames:v", "1",
                "-pix_fmt", pixelFormat, "-c:v", "mjpeg", .. options, "-f", "mjpeg", "-y", file]);
            Assert.AreEqual(0, made.ExitCode, made.Error);
            return await File.ReadAllBytesAsync(file);
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>A JPEG read independently of the payloader: its segments up to the scan, its tables, its scan data.</summary>
    private sealed record JpegParts(List<(byte Marker, int Start, int Length)> Segments, byte[] Tables, int ScanStart, byte[] Scan)
    {
        public static JpegParts Read(byte[] jpeg)
        {
            var segments = new List<(byte Marker, int Start, int Length)>();
            var tables = new Dictionary<int, byte[]>();
            byte[] components = [];
            int at = 2;
            while (true)
            {
                Assert.AreEqual(0xFF, jpeg[at]);
                byte marker = jpeg[at + 1];
                int length = BinaryPrimitives.ReadUInt16BigEndian(jpeg.AsSpan(at + 2));
                segments.Add((marker, at, 2 + length));
                var body = jpeg.AsSpan(at + 4, length - 2);
                if (marker == 0xDB)
                {
                    for (int i = 0; i < body.Length; i += 65) tables[body[i]] = body.Slice(i + 1, 64).ToArray();
                }
                if (marker == 0xC0) components = body[6..].ToArray();
                at += 2 + length;
                if (marker == 0xDA) break;
            }
            Assert.AreEqual(0xD9, jpeg[^1], "ends with its EOI");
            return new JpegParts(segments, [.. tables[components[2]], .. tables[components[5]]], at, jpeg[at..^2]);
        }
    }
}
