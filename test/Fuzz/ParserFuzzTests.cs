using System.Buffers;
using System.Text;
using Edge.Camera;
using Edge.Onvif;
using Edge.Onvif.Discovery;
using Edge.State;
using Edge.Streaming;
using Edge.Tests.Onvif;
using Edge.Tests.Support;

namespace Edge.Tests.Fuzz;

/// <summary>
/// Every parser fed mutated valid inputs (<see cref="Mutations.Inputs"/> each: a quick subset by default,
/// <c>FUZZ_INPUTS=100000</c> for the full run): nothing but its documented refusal escapes, no input
/// hangs or allocates without bound, and the valid inputs still parse as before.
/// </summary>
[TestClass]
[TestCategory("Fuzz")]
public sealed class ParserFuzzTests
{
    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    [TestMethod]
    public void RtspRequestsAndInterleavedFramesAreReadOrRefusedAndTheReaderAlwaysMovesOn()
    {
        byte[][] seeds =
        [
            Utf8("OPTIONS rtsp://127.0.0.1:8554/stream RTSP/1.0\r\nCSeq: 1\r\nUser-Agent: fuzz\r\n\r\n"),
            Utf8("DESCRIBE rtsp://127.0.0.1:8554/stream RTSP/1.0\r\nCSeq: 2\r\nAccept: application/sdp\r\n" +
                "Authorization: Basic dXNlcjpwYXNz\r\n\r\n"),
            Utf8("SETUP rtsp://127.0.0.1:8554/stream/track1 RTSP/1.0\r\nCSeq: 3\r\nTransport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n\r\n"),
            Utf8("SET_PARAMETER rtsp://127.0.0.1:8554/stream RTSP/1.0\r\nCSeq: 4\r\nContent-Length: 5\r\nSession: 1234\r\n\r\nhello"),
            [(byte)'$', 1, 0, 4, 0x80, 0xC8, 0, 6,
                .. Utf8("PLAY rtsp://127.0.0.1:8554/stream RTSP/1.0\r\nCSeq: 5\r\nSession: 1234\r\n\r\n")],
        ];
        foreach (var seed in seeds.Take(4))
            Assert.AreEqual(RtspParse.Request, RtspParser.TryRead(new ReadOnlySequence<byte>(seed), out _, out long consumed, out _),
                Encoding.UTF8.GetString(seed));

        Mutations.Run(seeds, input =>
        {
            // As a connection reads: in two segments, one message after another until more is needed.
            var data = Segments(input, input.Length / 3);
            while (true)
            {
                var result = RtspParser.TryRead(data, out var request, out long consumed, out string? problem);
                if (result is RtspParse.NeedMore) return;
                if (result is RtspParse.Invalid)
                {
                    Assert.IsFalse(string.IsNullOrEmpty(problem), "a refusal says why");
                    return;
                }
                Assert.IsTrue(consumed > 0 && consumed <= data.Length, $"consumed {consumed} of {data.Length}");
                if (result is RtspParse.Request) Assert.IsNotNull(request);
                data = data.Slice(consumed);
            }
        });
    }

    [TestMethod]
    public void SoapRequestsParseOrFaultAndNeverExpandEntities()
    {
        byte[][] seeds =
        [
            Utf8(Soap.Envelope(Soap.Operation("GetDeviceInformation"), Soap.TextToken("user", "password"))),
            Utf8(Soap.Envelope(Soap.Operation("GetStreamUri", Soap.Media,
                "<StreamSetup><Stream xmlns=\"http://www.onvif.org/ver10/schema\">RTP-Unicast</Stream></StreamSetup>" +
                "<ProfileToken>main</ProfileToken>"))),
            Utf8(Soap.Envelope(Soap.Operation("GetProfiles", Soap.Media), Soap.DigestToken("user", "password", DateTimeOffset.UnixEpoch))),
            Utf8("<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;\">]>" +
                "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\"><s:Body>&lol2;</s:Body></s:Envelope>"),
        ];
        Assert.AreEqual("GetStreamUri", SoapRequest.Parse(seeds[1]).Operation);
        Assert.AreEqual("main", SoapRequest.Parse(seeds[1]).Parameter("ProfileToken"));
        Assert.ThrowsExactly<SoapFault>(() => SoapRequest.Parse(seeds[3]), "a DTD is refused");

        Mutations.Run(seeds, input =>
        {
            var request = SoapRequest.Parse(input);
            Assert.IsFalse(string.IsNullOrEmpty(request.Operation));
        }, refusal: e => e is SoapFault);
    }

    [TestMethod]
    public void WsDiscoveryDatagramsParseOrAreRefusedWithAReason()
    {
        byte[][] seeds =
        [
            Utf8(DiscoveryClient.Probe("urn:uuid:6f3b1d9e-0000-4000-8000-000000000001")),
            Utf8(DiscoveryClient.Probe("urn:uuid:6f3b1d9e-0000-4000-8000-000000000002",
                scopes: "<d:Scopes>onvif://www.onvif.org/Profile/Streaming onvif://www.onvif.org/name/Edge</d:Scopes>")),
            Utf8(DiscoveryClient.Resolve("urn:uuid:6f3b1d9e-0000-4000-8000-000000000003", "urn:uuid:87cd09d5-1b7a-8b0a-a564-67652d646576")),
        ];
        Assert.AreEqual(DiscoveryMessageKind.Probe, DiscoveryMessage.TryParse(seeds[1], out _)!.Kind);
        Assert.AreEqual(2, DiscoveryMessage.TryParse(seeds[1], out _)!.Scopes.Count);
        Assert.AreEqual(DiscoveryMessageKind.Resolve, DiscoveryMessage.TryParse(seeds[2], out _)!.Kind);

        Mutations.Run(seeds, input =>
        {
            var message = DiscoveryMessage.TryParse(input, out string? problem);
            Assert.IsTrue(message != null || !string.IsNullOrEmpty(problem), "a refusal says why");
        });
    }

    [TestMethod]
    public void TheMjpegSplitterCutsCheckedImagesOutOfAnyByteStream()
    {
        byte[] a = Jpeg(64, 48, 1), b = Jpeg(32, 32, 2), c = Jpeg(48, 16, 3);
        byte[][] seeds = [[.. a, .. b, .. c], [.. Utf8("garbage"), .. a, .. a[..100], .. b], [.. c, 0xFF, 0xD8, 0xFF, 0xD9, .. a]];
        var (frames, _) = Split(seeds[0], 7);
        Assert.AreEqual(3, frames.Count);
        CollectionAssert.AreEqual(b, frames[1]);

        Mutations.Run(seeds, input =>
        {
            foreach (int chunk in new[] { 1 + input.Length % 97, input.Length + 1 })
            {
                var (cut, _) = Split(input, chunk);
                // Whatever comes out is a whole image by the scanner's rules.
                foreach (var frame in cut) Assert.AreEqual(JpegScan.Complete, JpegScanner.Check(frame, out _));
            }
        });
    }

    [TestMethod]
    public void TheH264SplitterCutsAccessUnitsOutOfAnyByteStream()
    {
        // SPS, PPS, an IDR slice, two P slices (first_mb_in_slice = 0), an access unit delimiter.
        byte[] sps = [0, 0, 0, 1, 0x67, 0x42, 0xC0, 0x1E, 0xDA, 0x02, 0x80, 0xBF, 0xE5, 0xC0, 0x44, 0x00];
        byte[] pps = [0, 0, 0, 1, 0x68, 0xCE, 0x3C, 0x80];
        byte[] idr = [0, 0, 1, 0x65, 0x88, 0x84, 0x00, 0x33, 0xFF, 0xF0, 0x12, 0x34];
        byte[] p1 = [0, 0, 1, 0x41, 0x9A, 0x00, 0x11, 0x22];
        byte[] p2 = [0, 0, 1, 0x41, 0x9A, 0x02, 0x33, 0x44];
        byte[] aud = [0, 0, 0, 1, 0x09, 0xF0];
        byte[][] seeds = [[.. sps, .. pps, .. idr, .. p1, .. p2, .. sps], [.. aud, .. idr, .. aud, .. p1, .. aud, .. p2, .. aud]];
        Assert.AreEqual(3, SplitH264(seeds[0], 5).Count, "SPS+PPS+IDR, P, P (the last SPS starts a unit still open)");

        Mutations.Run(seeds, input =>
        {
            foreach (int chunk in new[] { 1 + input.Length % 13, input.Length + 1 })
                foreach (var unit in SplitH264(input, chunk)) Assert.IsGreaterThan(0, unit.Length);
        });
    }

    [TestMethod]
    public void TheJournalReaderKeepsTheIntactRecordsOfAnyFile()
    {
        byte[] Record(string payload)
        {
            byte[] data = Utf8(payload);
            var record = new byte[JournalRecord.HeaderSize + data.Length];
            JournalRecord.WriteHeader(record, data);
            data.CopyTo(record, JournalRecord.HeaderSize);
            return record;
        }
        byte[] one = Record("""{"seq":1,"kind":"edge.started","data":"0.1.0"}"""),
            two = Record("""{"seq":2,"kind":"gpio.edge","data":{"pin":"door"}}""");
        byte[][] seeds = [[.. one, .. two], [.. two, .. one, .. two]];
        Assert.AreEqual(2, JournalRecord.ReadAll(seeds[0]).Payloads.Count);

        Mutations.Run(seeds, input =>
        {
            var (payloads, intact) = JournalRecord.ReadAll(input);
            Assert.IsTrue(intact >= 0 && intact <= input.Length);
            Assert.AreEqual(intact, payloads.Sum(p => p.Length + JournalRecord.HeaderSize), "the intact part is exactly its records");
        });
    }

    [TestMethod]
    public void RawFramesOfAnyLengthAndStrideAreConvertedOrRefusedAsShort()
    {
        // What a driver's buffer metadata can claim: any bytes used, any stride, for the negotiated size.
        var random = new Random(20261202);
        for (int i = 0; i < Mutations.Inputs; i++)
        {
            int width = 2 * random.Next(1, 40), height = 2 * random.Next(1, 30);
            int stride = random.Next(0, 3 * width + 8), length = random.Next(0, 3 * stride * height + 64);
            byte[] source = new byte[length];
            random.NextBytes(source);
            byte[] destination = new byte[PixelFormats.PlanarBytes(PixelFormat.I422, width, height)];
            var layout = random.Next(2) == 0 ? PixelFormat.I420 : PixelFormat.I422;
            bool yuyvFits = stride >= 2 * width && length >= stride * (height - 1) + 2 * width;
            bool planarFits = stride >= width && length >= stride * height + stride * (height / 2 - 1) + width;
            Converts(() => YuvConvert.YuyvToPlanar(source, width, height, stride, layout, destination), yuyvFits, i);
            Converts(() => YuvConvert.Nv12ToI420(source, width, height, stride, destination), planarFits, i);
            Converts(() => YuvConvert.CopyI420(source, width, height, stride, destination), null, i);
        }

        static void Converts(Action convert, bool? fits, int input)
        {
            try
            {
                convert();
                Assert.AreNotEqual(false, fits, $"input {input}: a short frame was converted");
            }
            catch (ArgumentException)
            {
                Assert.AreNotEqual(true, fits, $"input {input}: a frame that fits was refused");
            }
        }
    }

    [TestMethod]
    public void GpioEdgeRecordsWithAnyNumberingKeepTheNewestEdgeAndCountLossesWithoutGoingNegative()
    {
        // The kernel's records as the reader passes them on: any direction, any sequence number
        // (gaps, repeats, going back, wrapping past uint.MaxValue).
        var random = new Random(20261202);
        var buffer = new Edge.Gpio.GpioEdgeBuffer("door", TimeProvider.System);
        var taken = new List<Edge.Gpio.GpioEdgeEvent>();
        uint seqno = 0;
        bool last = false;
        for (int i = 0; i < Mutations.Inputs; i++)
        {
            int edges = random.Next(1, 40);
            for (int e = 0; e < edges; e++)
            {
                seqno = random.Next(6) switch
                {
                    0 => seqno + (uint)random.Next(2, 1000),
                    1 => seqno - (uint)random.Next(0, 5),
                    2 => uint.MaxValue - (uint)random.Next(0, 3),
                    3 => (uint)random.Next(),
                    _ => seqno + 1,
                };
                last = random.Next(2) == 0;
                buffer.Add(last, seqno);
            }
            taken.Clear();
            long lost = buffer.Take(taken);
            Assert.IsTrue(taken.Count is > 0 and <= Edge.Gpio.GpioEdgeBuffer.Capacity, $"{taken.Count} edges taken");
            Assert.IsGreaterThanOrEqualTo(0L, lost);
            Assert.AreEqual(last ? 1 : 0, taken[^1].Value, "the newest edge arrives");
        }
    }

    private static ReadOnlySequence<byte> Segments(byte[] data, int split)
    {
        if (split <= 0 || split >= data.Length) return new ReadOnlySequence<byte>(data);
        var first = new Segment(data.AsMemory(0, split), 0);
        var last = first.Append(data.AsMemory(split));
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }

    private static byte[] Jpeg(int width, int height, long sequence)
    {
        var raw = Frame.Rent(PixelFormats.PlanarBytes(PixelFormat.I420, width, height), PixelFormat.I420, width, height, sequence, 0);
        for (int i = 0; i < raw.Length; i++) raw.Buffer[i] = (byte)(i * 7 + sequence);
        var jpeg = JpegEncoder.ForThisThread.Encode(raw, 80);
        raw.Release();
        try { return jpeg.Data.ToArray(); }
        finally { jpeg.Release(); }
    }

    private static (List<byte[]> Frames, List<string> Problems) Split(byte[] stream, int chunk)
    {
        var splitter = new JpegSplitter(64 * 1024);
        var frames = new List<byte[]>();
        var problems = new List<string>();
        for (int offset = 0; offset < stream.Length; offset += chunk)
        {
            int count = Math.Min(chunk, stream.Length - offset);
            stream.AsSpan(offset, count).CopyTo(splitter.GetWriteBuffer().Span);
            splitter.Advance(count, (frame, _, _) => frames.Add(frame.ToArray()), problems.Add);
        }
        return (frames, problems);
    }

    private static List<byte[]> SplitH264(byte[] stream, int chunk)
    {
        var splitter = new H264Splitter(64 * 1024);
        var units = new List<byte[]>();
        for (int offset = 0; offset < stream.Length; offset += chunk)
        {
            int count = Math.Min(chunk, stream.Length - offset);
            stream.AsSpan(offset, count).CopyTo(splitter.GetWriteBuffer().Span);
            splitter.Advance(count, (unit, _) => units.Add(unit.ToArray()), _ => { });
        }
        return units;
    }
}
