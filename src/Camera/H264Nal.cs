namespace Edge.Camera;

/// <summary>NAL units of an Annex B access unit (start codes 00 00 01 or 00 00 00 01).</summary>
public static class H264Nal
{
    private static ReadOnlySpan<byte> StartCode => [0, 0, 1];

    /// <summary>The unit holds a coded slice (NAL types 1-5), not only parameter sets or SEI.</summary>
    public static bool ContainsPicture(ReadOnlySpan<byte> data) => Contains(data, static type => type is >= 1 and <= 5);

    /// <summary>The unit holds an IDR slice (NAL type 5).</summary>
    public static bool ContainsIdr(ReadOnlySpan<byte> data) => Contains(data, static type => type == 5);

    private static bool Contains(ReadOnlySpan<byte> data, Func<int, bool> type)
    {
        int position = 0;
        while (Next(data, ref position, out int start, out _))
            if (type(data[start] & 0x1F)) return true;
        return false;
    }

    /// <summary>
    /// The next NAL unit after a start code at or after <paramref name="position"/>, without the zero
    /// bytes that pad it or begin a four-byte start code; <paramref name="position"/> moves to the following start code.
    /// </summary>
    public static bool Next(ReadOnlySpan<byte> data, ref int position, out int start, out int length)
    {
        while (true)
        {
            int found = data[position..].IndexOf(StartCode);
            if (found < 0)
            {
                position = data.Length;
                start = length = 0;
                return false;
            }
            start = position + found + StartCode.Length;
            int next = data[start..].IndexOf(StartCode);
            int end = next < 0 ? data.Length : start + next;
            position = end;
            while (end > start && data[end - 1] == 0) end--;
            length = end - start;
            if (length > 0) return true;
        }
    }
}
