using System.Buffers.Binary;
using Edge.Camera;

namespace Edge.Streaming;

/// <summary>
/// Cuts a JPEG into RTP/JPEG payloads (RFC 2435). A receiver rebuilds the JPEG's headers from each
/// packet's main header (type, size in 8-pixel blocks) and the quantisation tables sent with the first
/// packet (Q = 255), assuming the standard Huffman tables, so only JPEGs those headers describe are
/// accepted: baseline (SOF0), 8-bit, Y/Cb/Cr with luma sampled 2×1 (type 0, 4:2:2) or 2×2 (type 1,
/// 4:2:0) and chroma 1×1, one interleaved scan, the standard Huffman tables or none (as UVC cameras
/// send). A restart interval (DRI) goes in every packet's restart marker header (type + 64).
/// </summary>
public sealed class JpegPayloader
{
    private const int MainHeaderSize = 8;
    private const int RestartHeaderSize = 4;
    private const int TablesHeaderSize = 4 + 2 * 64;
    private const int MaxSize = 2040; // 255 blocks of 8 pixels
    private const int MaxScanBytes = 0xFFFFFF; // the fragment offset has 24 bits

    /// <summary>The smallest <c>maxPayload</c>: the first packet's headers and one byte of scan data.</summary>
    public const int MinPayload = MainHeaderSize + RestartHeaderSize + TablesHeaderSize + 1;

    /// <summary>
    /// Replaces <paramref name="output"/>'s fragments with <paramref name="jpeg"/>'s, each payload at most
    /// <paramref name="maxPayload"/> bytes (the room after the RTP header); false, with why, when RTP/JPEG
    /// cannot carry the image.
    /// </summary>
    public bool TryFragment(ReadOnlySpan<byte> jpeg, int maxPayload, RtpFrame output, out string? problem)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPayload, MinPayload);
        output.Clear();
        problem = ReadHeaders(jpeg, out var layout) ?? FindScanEnd(jpeg, ref layout);
        if (problem != null) return false;
        int scanLength = layout.ScanEnd - layout.ScanStart;
        if (scanLength == 0) problem = "the scan holds no data";
        else if (scanLength > MaxScanBytes)
            problem = $"the scan has {scanLength} bytes, more than the 24-bit fragment offset of RTP/JPEG reaches";
        if (problem != null) return false;

        bool restarts = layout.RestartInterval > 0;
        for (int offset = 0; offset < scanLength;)
        {
            bool first = offset == 0;
            int headerLength = MainHeaderSize + (restarts ? RestartHeaderSize : 0) + (first ? TablesHeaderSize : 0);
            int length = Math.Min(scanLength - offset, maxPayload - headerLength);
            var header = output.Add(headerLength, layout.ScanStart + offset, length);
            header[0] = 0; // type-specific: progressive (not interlaced) frame
            header[1] = (byte)(offset >> 16);
            header[2] = (byte)(offset >> 8);
            header[3] = (byte)offset;
            header[4] = (byte)(layout.Type + (restarts ? 64 : 0));
            header[5] = 255; // Q: the tables come in-band, with the first packet
            header[6] = (byte)((layout.Width + 7) / 8);
            header[7] = (byte)((layout.Height + 7) / 8);
            var rest = header[MainHeaderSize..];
            if (restarts)
            {
                // F = L = 1 and count 0x3FFF: packets are cut anywhere, not at restart intervals.
                BinaryPrimitives.WriteUInt16BigEndian(rest, (ushort)layout.RestartInterval);
                rest[2] = 0xFF;
                rest[3] = 0xFF;
                rest = rest[RestartHeaderSize..];
            }
            if (first)
            {
                rest[0] = 0; // MBZ
                rest[1] = 0; // precision: both tables 8-bit
                BinaryPrimitives.WriteUInt16BigEndian(rest[2..], 2 * 64);
                jpeg.Slice(layout.LumaTable, 64).CopyTo(rest[4..]);
                jpeg.Slice(layout.ChromaTable, 64).CopyTo(rest[68..]);
            }
            offset += length;
        }
        output.MarkLast();
        return true;
    }

    private struct Layout
    {
        public int Type, Width, Height, RestartInterval, LumaTable, ChromaTable, ScanStart, ScanEnd;
    }

    // Walks the segments up to the scan header; fills everything but ScanEnd.
    private static string? ReadHeaders(ReadOnlySpan<byte> jpeg, out Layout layout)
    {
        layout = default;
        if (!JpegScanner.StartsImage(jpeg)) return "not a JPEG: no SOI marker at the start";
        Span<int> tables = [-1, -1, -1, -1]; // where each quantisation table's 64 bytes are
        Span<byte> components = stackalloc byte[6]; // id and quantisation table of Y, Cb, Cr
        int position = 2;
        while (true)
        {
            while (position + 1 < jpeg.Length && jpeg[position] == 0xFF && jpeg[position + 1] == 0xFF) position++; // fill bytes
            if (position + 2 > jpeg.Length) return "truncated: the JPEG ends before its scan";
            if (jpeg[position] != 0xFF) return $"expected a marker at byte {position}";
            byte code = jpeg[position + 1];
            if (code is >= 0xD0 and <= 0xD7 or 0x01)
            {
                position += 2; // standalone markers carry no length
                continue;
            }
            if (code is 0xD8 or 0xD9) return $"marker FF{code:X2} before any scan";
            if (position + 4 > jpeg.Length) return "truncated: the JPEG ends before its scan";
            int length = BinaryPrimitives.ReadUInt16BigEndian(jpeg[(position + 2)..]);
            if (length < 2 || position + 2 + length > jpeg.Length)
                return $"truncated: the segment FF{code:X2} at byte {position} ends after the JPEG";
            int segmentAt = position + 4;
            var segment = jpeg.Slice(segmentAt, length - 2);
            position += 2 + length;
            string? problem = code switch
            {
                0xDB => ReadQuantizationTables(segment, segmentAt, tables),
                0xC4 => CheckHuffmanTables(segment),
                0xDD => ReadRestartInterval(segment, ref layout),
                0xC0 => ReadFrameHeader(segment, ref layout, components),
                0xC2 => "a progressive JPEG (SOF2): RFC 2435 carries baseline JPEGs (SOF0) only",
                0xC1 or 0xC3 or (>= 0xC5 and <= 0xC7) or (>= 0xC9 and <= 0xCB) or (>= 0xCD and <= 0xCF) =>
                    $"a JPEG of process SOF{code - 0xC0}: RFC 2435 carries baseline JPEGs (SOF0) only",
                0xDA => ReadScanHeader(segment, ref layout, components, tables),
                _ => null,
            };
            if (problem != null) return problem;
            if (code == 0xDA)
            {
                layout.ScanStart = position;
                return null;
            }
        }
    }

    private static string? ReadQuantizationTables(ReadOnlySpan<byte> segment, int segmentAt, Span<int> tables)
    {
        for (int at = 0; at < segment.Length; at += 65)
        {
            if (segment[at] >> 4 != 0) return "a 16-bit quantisation table: Edge sends 8-bit ones only";
            int id = segment[at] & 0x0F;
            if (id > 3 || at + 65 > segment.Length) return "a malformed quantisation table segment";
            tables[id] = segmentAt + at + 1;
        }
        return null;
    }

    private static string? CheckHuffmanTables(ReadOnlySpan<byte> segment)
    {
        while (!segment.IsEmpty)
        {
            if (segment.Length < 17) return "a malformed Huffman table segment";
            int tableClass = segment[0] >> 4, destination = segment[0] & 0x0F, symbols = 0;
            foreach (byte count in segment.Slice(1, 16)) symbols += count;
            if (segment.Length < 17 + symbols) return "a malformed Huffman table segment";
            if (tableClass > 1 || destination > 1
                || !segment.Slice(1, 16 + symbols).SequenceEqual(JpegHuffmanTables.Standard(tableClass, destination)))
                return $"Huffman table {(tableClass == 0 ? "DC" : "AC")} {destination} is not the standard one of JPEG Annex K, " +
                    $"the only ones RFC 2435 receivers know (encode without optimised Huffman tables)";
            segment = segment[(17 + symbols)..];
        }
        return null;
    }

    private static string? ReadRestartInterval(ReadOnlySpan<byte> segment, ref Layout layout)
    {
        if (segment.Length != 2) return "a malformed restart interval segment";
        layout.RestartInterval = BinaryPrimitives.ReadUInt16BigEndian(segment);
        return null;
    }

    private static string? ReadFrameHeader(ReadOnlySpan<byte> segment, ref Layout layout, Span<byte> components)
    {
        if (layout.Width != 0) return "a second frame header";
        if (segment.Length < 6) return "a malformed frame header";
        if (segment[0] != 8) return $"{segment[0]}-bit samples: RFC 2435 carries 8-bit JPEGs only";
        int height = BinaryPrimitives.ReadUInt16BigEndian(segment[1..]), width = BinaryPrimitives.ReadUInt16BigEndian(segment[3..]);
        if (segment[5] != 3) return $"{segment[5]} colour components: RFC 2435 carries Y, Cb and Cr";
        if (segment.Length != 6 + 3 * 3) return "a malformed frame header";
        if (width == 0 || height == 0) return $"the frame header gives a size of {width}×{height}";
        if (width > MaxSize || height > MaxSize) return $"{width}×{height} is larger than the {MaxSize}×{MaxSize} RFC 2435 can describe";
        byte luma = segment[7], cb = segment[10], cr = segment[13];
        if (luma is not (0x21 or 0x22) || cb != 0x11 || cr != 0x11)
            return $"sampling luma {luma >> 4}×{luma & 0x0F}, chroma {cb >> 4}×{cb & 0x0F}{(luma == cb ? " (4:4:4)" : "")}: " +
                $"RFC 2435 carries luma 2×1 (4:2:2) or 2×2 (4:2:0) with chroma 1×1 only";
        if (segment[11] != segment[14]) return "Cb and Cr use different quantisation tables: RFC 2435 carries one chroma table";
        for (int i = 0; i < 3; i++)
        {
            components[2 * i] = segment[6 + 3 * i];
            components[2 * i + 1] = segment[8 + 3 * i];
        }
        layout.Type = luma == 0x21 ? 0 : 1;
        layout.Width = width;
        layout.Height = height;
        return null;
    }

    // Receivers write a scan of Y, Cb, Cr in that order with Huffman tables 0 (luma) and 1 (chroma).
    private static string? ReadScanHeader(ReadOnlySpan<byte> segment, ref Layout layout, ReadOnlySpan<byte> components,
        ReadOnlySpan<int> tables)
    {
        if (layout.Width == 0) return "a scan before the frame header";
        if (segment.Length < 1 || segment[0] != 3) return "a scan without all three components: RFC 2435 carries one interleaved scan";
        if (segment.Length != 1 + 2 * 3 + 3) return "a malformed scan header";
        for (int i = 0; i < 3; i++)
        {
            if (segment[1 + 2 * i] != components[2 * i]) return "the scan's components are not in the frame header's order";
            if (segment[2 + 2 * i] != (i == 0 ? 0x00 : 0x11))
                return "the scan uses Huffman tables other than 0 for luma and 1 for chroma, which RFC 2435 receivers assume";
        }
        int luma = components[1], chroma = components[3];
        if (luma > 3 || chroma > 3 || tables[luma] < 0 || tables[chroma] < 0) return "a component's quantisation table is not defined";
        layout.LumaTable = tables[luma];
        layout.ChromaTable = tables[chroma];
        return null;
    }

    // The scan data runs to the EOI; restart markers belong to it, any other marker means a second scan.
    private static string? FindScanEnd(ReadOnlySpan<byte> jpeg, ref Layout layout)
    {
        int at = layout.ScanStart;
        while (true)
        {
            int found = jpeg[at..].IndexOf((byte)0xFF);
            if (found < 0 || at + found + 1 >= jpeg.Length) return "truncated: the JPEG ends before its EOI marker";
            at += found;
            byte next = jpeg[at + 1];
            if (next is 0x00 or 0xFF)
            {
                at++; // a stuffed 0xFF data byte, or fill before a marker
                continue;
            }
            if (next is >= 0xD0 and <= 0xD7)
            {
                if (layout.RestartInterval == 0) return "restart markers in the scan without a restart interval (DRI)";
                at += 2;
                continue;
            }
            if (next != 0xD9) return $"marker FF{next:X2} after the scan data: RFC 2435 carries one scan and nothing after it";
            layout.ScanEnd = at;
            return null;
        }
    }
}
