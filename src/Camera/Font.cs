namespace Edge.Camera;

/// <summary>A 5×7 bitmap font for the test pattern's clock: digits, a few capitals and punctuation.</summary>
internal static class Font
{
    public const int GlyphHeight = 7;
    public const int Advance = 6;

    // Seven rows per glyph, five bits per row (bit 4 = leftmost pixel).
    private static readonly Dictionary<char, byte[]> Glyphs = new()
    {
        ['0'] = [0x0E, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0E],
        ['1'] = [0x04, 0x0C, 0x04, 0x04, 0x04, 0x04, 0x0E],
        ['2'] = [0x0E, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1F],
        ['3'] = [0x1F, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0E],
        ['4'] = [0x02, 0x06, 0x0A, 0x12, 0x1F, 0x02, 0x02],
        ['5'] = [0x1F, 0x10, 0x1E, 0x01, 0x01, 0x11, 0x0E],
        ['6'] = [0x06, 0x08, 0x10, 0x1E, 0x11, 0x11, 0x0E],
        ['7'] = [0x1F, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08],
        ['8'] = [0x0E, 0x11, 0x11, 0x0E, 0x11, 0x11, 0x0E],
        ['9'] = [0x0E, 0x11, 0x11, 0x0F, 0x01, 0x02, 0x0C],
        [':'] = [0x00, 0x0C, 0x0C, 0x00, 0x0C, 0x0C, 0x00],
        ['.'] = [0x00, 0x00, 0x00, 0x00, 0x00, 0x0C, 0x0C],
        ['#'] = [0x0A, 0x0A, 0x1F, 0x0A, 0x1F, 0x0A, 0x0A],
        ['E'] = [0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x1F],
        ['D'] = [0x1C, 0x12, 0x11, 0x11, 0x11, 0x12, 0x1C],
        ['G'] = [0x0E, 0x11, 0x10, 0x17, 0x11, 0x11, 0x0F],
    };

    /// <summary>Draws <paramref name="text"/> into a luma plane; characters without a glyph leave a gap.</summary>
    public static void Draw(Span<byte> luma, int width, int height, int x, int y, string text, int scale, byte value)
    {
        foreach (char c in text)
        {
            if (Glyphs.TryGetValue(c, out var rows))
                for (int row = 0; row < GlyphHeight; row++)
                    for (int column = 0; column < 5; column++)
                        if ((rows[row] >> (4 - column) & 1) != 0)
                            for (int dy = 0; dy < scale; dy++)
                            {
                                int py = y + row * scale + dy, px = x + column * scale;
                                if (py >= height || px + scale > width) continue;
                                luma.Slice(py * width + px, scale).Fill(value);
                            }
            x += Advance * scale;
        }
    }
}
