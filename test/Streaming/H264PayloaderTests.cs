using System.Text.RegularExpressions;
using Edge.Camera;
using Edge.Streaming;
using Edge.Tests.Support;

namespace Edge.Tests.Streaming;

[TestClass]
public sealed class H264PayloaderTests
{
    private const byte H264PayloadType = 96;

    [TestMethod]
    public async Task AnFfmpegStreamCutIntoSmallPacketsIsReassembledIntoTheSameDecodableStream()
    {
        const int maxPayload = 200;
        var (_, units) = await FfmpegStream();
        Assert.HasCount(10, units);
        var payloader = new H264Payloader();
        var frame = new RtpFrame();
        var rtp = new RtpPackets(H264PayloadType);
        var stream = new MemoryStream();
        int fuA = 0;
        for (int i = 0; i < units.Count; i++)
        {
            Assert.IsTrue(payloader.TryFragment(units[i], maxPayload, frame, out var problem), problem);
            var payloads = rtp.Receive(rtp.Send(frame, units[i], (uint)(i * 9000)), maxPayload);
            fuA += payloads.Count(p => (p[0] & 0x1F) == 28);
            var nals = Reassemble(payloads);
            var expected = NalUnits(units[i]).Where(n => (n[0] & 0x1F) != 9).ToList();
            Assert.HasCount(expected.Count, nals, $"unit {i}");
            for (int n = 0; n < nals.Count; n++) CollectionAssert.AreEqual(expected[n], nals[n], $"unit {i}, NAL {n}");
            foreach (var nal in nals) stream.Write([0, 0, 0, 1, .. nal]);
        }
        Assert.IsGreaterThan(10, fuA, "large NAL units went as FU-A");

        string file = Path.GetTempFileName();
        try
        {
            await File.WriteAllBytesAsync(file, stream.ToArray());
            var probe = await Tools.Run("ffprobe",
                ["-v", "error", "-f", "h264", "-count_frames", "-show_entries", "stream=width,height,nb_read_frames", "-of", "csv=p=0",
                    file]);
            Assert.AreEqual((0, ""), (probe.ExitCode, probe.Error));
            Assert.AreEqual("320,240,10", probe.Output.Trim());
        }
        finally
        {
            File.Delete(file);
        }
    }

    [TestMethod]
    public async Task TheKeyFramesParameterSetsGiveTheSdpFormatParameters()
    {
        var (_, units) = await FfmpegStream();
        Assert.IsTrue(H264Payloader.TryGetParameterSets(units[0], out var sps, out var pps));
        Assert.AreEqual((7, 8), (sps[0] & 0x1F, pps[0] & 0x1F));
        CollectionAssert.AreEqual(NalUnits(units[0]).First(n => (n[0] & 0x1F) == 7), sps);
        Assert.IsFalse(H264Payloader.TryGetParameterSets(units[1], out _, out _), "a P frame's unit has none");

        string parameters = H264Payloader.SdpFormatParameters(sps, pps);
        StringAssert.Matches(parameters,
            new Regex("^packetization-mode=1;profile-level-id=64[0-9A-F]{4};sprop-parameter-sets=[A-Za-z0-9+/=]+,[A-Za-z0-9+/=]+$"));
        Assert.AreEqual($"packetization-mode=1;profile-level-id={sps[1]:X2}{sps[2]:X2}{sps[3]:X2};" +
            $"sprop-parameter-sets={Convert.ToBase64String(sps)},{Convert.ToBase64String(pps)}", parameters);
    }

    [TestMethod]
    public async Task FfmpegReceivesTheStreamOverRtpWithTheSdpParametersAndDecodesItsPictures()
    {
        var (stream, units) = await FfmpegStream();
        Assert.IsTrue(H264Payloader.TryGetParameterSets(units[0], out var sps, out var pps));
        string file = Path.GetTempFileName();
        try
        {
            await File.WriteAllBytesAsync(file, stream);
            var decoded = await Tools.Run("ffmpeg", ["-nostdin", "-v", "error", "-f", "h264", "-i", file, "-f", "framemd5", "-"]);
            var pictures = FfmpegRtpReceiver.FrameMd5s(decoded.Output);
            Assert.HasCount(10, pictures);

            var payloader = new H264Payloader();
            var frame = new RtpFrame();
            var rtp = new RtpPackets(H264PayloadType);
            int next = 0;
            // The units go round and round; ffmpeg decodes from the first key frame it sees.
            var received = await FfmpegRtpReceiver.Receive(H264PayloadType, "H264", H264Payloader.SdpFormatParameters(sps, pps),
                ["-frames:v", "6", "-fps_mode", "passthrough", "-f", "framemd5", "-"], () =>
                {
                    var unit = units[next % units.Count];
                    Assert.IsTrue(payloader.TryFragment(unit, 1400, frame, out var problem), problem);
                    return rtp.Send(frame, unit, (uint)(next++ * 9000));
                });
            Assert.AreEqual(0, received.ExitCode, received.Error);
            var seen = FfmpegRtpReceiver.FrameMd5s(received.Output);
            Assert.HasCount(6, seen, received.Error);
            foreach (var picture in seen) CollectionAssert.Contains(pictures, picture, "a picture of the stream, decoded as from the file");
        }
        finally
        {
            File.Delete(file);
        }
    }

    [TestMethod]
    public void NalUnitsThatFitGoWholeLargerOnesAsFuAAndDelimitersNot()
    {
        byte[] idr = [0x65, .. Enumerable.Range(1, 20).Select(i => (byte)i)];
        byte[] unit = [0, 0, 0, 1, 0x09, 0xF0, 0, 0, 1, 0x67, 0x42, 0, 0x1E, 0, 0, 0, 1, .. idr, 0, 0];
        var frame = new RtpFrame();
        Assert.IsTrue(new H264Payloader().TryFragment(unit, 8, frame, out var problem), problem);
        int idrAt = unit.Length - 2 - idr.Length;
        CollectionAssert.AreEqual(
            new RtpFragment[]
            {
                new(0, 0, 9, 4, false),
                new(0, 2, idrAt + 1, 6, false),
                new(2, 2, idrAt + 7, 6, false),
                new(4, 2, idrAt + 13, 6, false),
                new(6, 2, idrAt + 19, 2, true),
            },
            frame.Fragments);
        // FU indicator: F and NRI of 0x65 with type 28; FU header: start, end, type 5.
        CollectionAssert.AreEqual(new byte[] { 0x7C, 0x85, 0x7C, 0x05, 0x7C, 0x05, 0x7C, 0x45 }, frame.Headers[..frame.HeaderLength]);

        Assert.IsTrue(new H264Payloader().TryFragment(unit, idr.Length, frame, out _));
        Assert.AreEqual(new RtpFragment(0, 0, idrAt, idr.Length, true), frame.Fragments[^1],
            "a NAL unit of exactly maxPayload bytes goes whole");
        Assert.AreEqual(0, frame.HeaderLength);
    }

    [TestMethod]
    public void BytesThatAreNotAnAccessUnitAreRefused()
    {
        var frame = new RtpFrame();
        var payloader = new H264Payloader();
        Assert.IsFalse(payloader.TryFragment([7, 0, 0, 1, 0x65, 1], 100, frame, out var problem));
        StringAssert.Contains(problem, "start code");
        Assert.IsFalse(payloader.TryFragment([0, 0, 1, 0x09, 0xF0, 0, 0, 1], 100, frame, out problem));
        StringAssert.Contains(problem, "no NAL unit");
        Assert.IsEmpty(frame.Fragments);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => payloader.TryFragment([0, 0, 1, 0x65, 1, 2, 3], 2, frame, out _));
    }

    private static async Task<(byte[] Stream, List<byte[]> Units)> FfmpegStream()
    {
        string file = Path.GetTempFileName();
        try
        {
            // aud=1: the encoder writes access unit delimiters, which RTP does without.
            var made = await Tools.Run("ffmpeg",
                ["-nostdin", "-v", "error", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=10", "-frames:v", "10",
                    "-pix_fmt", "yuv420p", "-c:v", "libx264", "-g", "5", "-x264-params", "aud=1", "-f", "h264", "-y", file]);
            Assert.AreEqual(0, made.ExitCode, made.Error);
            byte[] stream = await File.ReadAllBytesAsync(file);
            var units = new List<byte[]>();
            var splitter = new H264Splitter(1 << 20);
            for (int at = 0; at < stream.Length;)
            {
                var target = splitter.GetWriteBuffer().Span;
                int n = Math.Min(target.Length, stream.Length - at);
                stream.AsSpan(at, n).CopyTo(target);
                splitter.Advance(n, (unit, _) => units.Add(unit.ToArray()), problem => Assert.Fail(problem));
                at += n;
            }
            splitter.Flush((unit, _) => units.Add(unit.ToArray()));
            Assert.IsTrue(units.All(u => (u[u.AsSpan().IndexOf((byte)1) + 1] & 0x1F) == 9), "every unit begins with a delimiter");
            return (stream, units);
        }
        finally
        {
            File.Delete(file);
        }
    }

    // The NAL units of an Annex B unit, read here independently of the payloader.
    private static List<byte[]> NalUnits(byte[] unit)
    {
        var starts = new List<int>();
        for (int i = 0; i + 2 < unit.Length; i++)
        {
            if (unit[i] == 0 && unit[i + 1] == 0 && unit[i + 2] == 1) starts.Add(i + 3);
        }
        var nals = new List<byte[]>();
        for (int s = 0; s < starts.Count; s++)
        {
            int end = s + 1 < starts.Count ? starts[s + 1] - 3 : unit.Length;
            while (unit[end - 1] == 0) end--;
            nals.Add(unit[starts[s]..end]);
        }
        return nals;
    }

    // What a receiver does (RFC 6184 5.6, 5.8): single NAL unit packets as they are, FU-A fragments joined from start to end.
    private static List<byte[]> Reassemble(List<byte[]> payloads)
    {
        var nals = new List<byte[]>();
        List<byte>? fragmented = null;
        foreach (var payload in payloads)
        {
            int type = payload[0] & 0x1F;
            Assert.IsTrue(type is >= 1 and <= 23 or 28, $"NAL unit type {type} in packetization-mode 1");
            Assert.AreNotEqual(9, type, "access unit delimiters are not sent");
            if (type != 28)
            {
                Assert.IsNull(fragmented, "a single NAL unit packet inside an FU-A");
                nals.Add(payload);
                continue;
            }
            bool start = (payload[1] & 0x80) != 0, end = (payload[1] & 0x40) != 0;
            Assert.AreEqual(0, payload[1] & 0x20, "FU header reserved bit");
            Assert.IsFalse(start && end, "an FU-A with both start and end bits");
            if (start)
            {
                Assert.IsNull(fragmented, "an FU-A start inside another");
                fragmented = [(byte)((payload[0] & 0xE0) | (payload[1] & 0x1F))];
            }
            Assert.IsNotNull(fragmented, "an FU-A fragment without a start");
            Assert.AreEqual(fragmented[0] & 0x1F, payload[1] & 0x1F, "the same type in every fragment");
            fragmented.AddRange(payload.AsSpan(2));
            if (end)
            {
                nals.Add([.. fragmented]);
                fragmented = null;
            }
        }
        Assert.IsNull(fragmented, "an FU-A without its end");
        return nals;
    }
}
