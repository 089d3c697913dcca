using System.Buffers.Text;

namespace Edge.Monitoring;

/// <summary>Lines, whitespace-separated fields and numbers of kernel text files, read as ASCII bytes without allocating.</summary>
public static class AsciiFields
{
    /// <summary>Cuts the next line (without its newline) off the front of <paramref name="text"/>; false once nothing is left.</summary>
    public static bool NextLine(ref ReadOnlySpan<byte> text, out ReadOnlySpan<byte> line)
    {
        if (text.IsEmpty)
        {
            line = default;
            return false;
        }
        int end = text.IndexOf((byte)'\n');
        if (end < 0)
        {
            line = text;
            text = default;
        }
        else
        {
            line = text[..end];
            text = text[(end + 1)..];
        }
        return true;
    }

    /// <summary>Cuts the next field (separated by white space) off the front of <paramref name="line"/>; false when none is left.</summary>
    public static bool NextField(ref ReadOnlySpan<byte> line, out ReadOnlySpan<byte> field)
    {
        int start = 0;
        while (start < line.Length && IsSpace(line[start])) start++;
        int end = start;
        while (end < line.Length && !IsSpace(line[end])) end++;
        field = line[start..end];
        line = line[end..];
        return !field.IsEmpty;
    }

    /// <summary>The next field as an integer; false when there is none or it is not one.</summary>
    public static bool NextLong(ref ReadOnlySpan<byte> line, out long value)
    {
        value = 0;
        return NextField(ref line, out var field) && Utf8Parser.TryParse(field, out value, out int used) && used == field.Length;
    }

    /// <summary>The next field as a decimal number; false when there is none or it is not one.</summary>
    public static bool NextDouble(ref ReadOnlySpan<byte> line, out double value)
    {
        value = 0;
        return NextField(ref line, out var field) && Utf8Parser.TryParse(field, out value, out int used) && used == field.Length;
    }

    private static bool IsSpace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n';
}
