using System.Buffers.Binary;
using Edge.Streaming;

namespace Edge.Tests.Streaming;

/// <summary>
/// What an RTP/JPEG receiver does with one frame's payloads (RFC 2435 section 3 and appendices A, B):
/// checks the headers, joins the scan data by fragment offset, and writes a JPEG from the type, the
/// size in blocks, the restart interval, the quantisation tables and the standard Huffman tables.
/// </summary>
internal sealed record RtpJpegReceiver(int Type, int Width, int Height, int RestartInterval, byte[] Tables, byte[] Scan)
{
    public static RtpJpegReceiver Receive(List<byte[]> payloads)
    {
        var first = payloads[0];
        int type = first[4], width = first[6], height = first[7];
        int restartInterval = type >= 64 ? BinaryPrimitives.ReadUInt16BigEndian(first.AsSpan(8)) : 0;
        byte[]? tables = null;
        var scan = new MemoryStream();
        foreach (var payload in payloads)
        {
            Assert.AreEqual(0, payload[0], "type-specific");
            Assert.AreEqual(scan.Length, payload[1] << 16 | payload[2] << 8 | payload[3], "fragment offsets follow each other");
            CollectionAssert.AreEqual(first[4..8], payload[4..8], "every packet has the same type, Q and size");
            Assert.AreEqual(255, payload[5], "Q = 255: tables in-band");
            var rest = payload.AsSpan(8);
            if (type >= 64)
            {
                Assert.AreEqual(restartInterval, BinaryPrimitives.ReadUInt16BigEndian(rest));
                Assert.AreEqual(0xFFFF, BinaryPrimitives.ReadUInt16BigEndian(rest[2..]), "F = L = 1, restart count 0x3FFF");
                rest = rest[4..];
            }
            if (scan.Length == 0)
            {
                Assert.AreEqual(0, rest[0], "MBZ");
                Assert.AreEqual(0, rest[1], "precision: 8-bit tables");
                Assert.AreEqual(128, BinaryPrimitives.ReadUInt16BigEndian(rest[2..]), "two tables");
                tables = rest.Slice(4, 128).ToArray();
                rest = rest[132..];
            }
            scan.Write(rest);
        }
        Assert.IsNotNull(tables);
        return new RtpJpegReceiver(type, width, height, restartInterval, tables, scan.ToArray());
    }

    /// <summary>The JPEG a receiver decodes: headers made from the RTP/JPEG fields, the scan data, an EOI.</summary>
    public byte[] Jpeg()
    {
        var jpeg = new MemoryStream();
        jpeg.Write([0xFF, 0xD8]);
        jpeg.Write([0xFF, 0xDB, 0, 2 + 2 * 65, 0]);
        jpeg.Write(Tables.AsSpan(0, 64));
        jpeg.WriteByte(1);
        jpeg.Write(Tables.AsSpan(64, 64));
        if (RestartInterval > 0) jpeg.Write([0xFF, 0xDD, 0, 4, (byte)(RestartInterval >> 8), (byte)RestartInterval]);
        int width = Width * 8, height = Height * 8;
        byte lumaSampling = (Type & 63) == 0 ? (byte)0x21 : (byte)0x22;
        jpeg.Write([0xFF, 0xC0, 0, 17, 8, (byte)(height >> 8), (byte)height, (byte)(width >> 8), (byte)width, 3, 1, lumaSampling, 0, 2,
            0x11, 1, 3, 0x11, 1]);
        var huffman = new MemoryStream();
        foreach (var (tableClass, destination) in new[] { (0, 0), (0, 1), (1, 0), (1, 1) })
        {
            huffman.WriteByte((byte)(tableClass << 4 | destination));
            huffman.Write(JpegHuffmanTables.Standard(tableClass, destination));
        }
        jpeg.Write([0xFF, 0xC4, (byte)((huffman.Length + 2) >> 8), (byte)(huffman.Length + 2)]);
        huffman.WriteTo(jpeg);
        jpeg.Write([0xFF, 0xDA, 0, 12, 3, 1, 0x00, 2, 0x11, 3, 0x11, 0, 63, 0]);
        jpeg.Write(Scan);
        jpeg.Write([0xFF, 0xD9]);
        return jpeg.ToArray();
    }
}
