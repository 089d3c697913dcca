namespace Edge.Api;

/// <summary>
/// Finds a <c>\uD800</c>–<c>\uDFFF</c> escape without its pair in JSON text: valid JSON, but no valid
/// string, so reading or re-writing it would throw deep inside a handler. One pass, no allocation.
/// </summary>
public static class LoneSurrogates
{
    public static bool In(ReadOnlySpan<byte> json)
    {
        // Backslashes only occur inside strings in JSON, so no string tracking is needed.
        for (int i = json.IndexOf((byte)'\\'); i >= 0 && i < json.Length;)
        {
            if (i + 1 >= json.Length) return false;
            if (json[i + 1] != 'u' || !TryHex(json, i + 2, out int unit))
            {
                i = Next(json, i + 2);
                continue;
            }
            if (unit is >= 0xDC00 and <= 0xDFFF) return true;
            if (unit is >= 0xD800 and <= 0xDBFF)
            {
                if (i + 7 >= json.Length || json[i + 6] != '\\' || json[i + 7] != 'u' || !TryHex(json, i + 8, out int low)
                    || low is < 0xDC00 or > 0xDFFF) return true;
                i = Next(json, i + 12);
                continue;
            }
            i = Next(json, i + 6);
        }
        return false;
    }

    private static int Next(ReadOnlySpan<byte> json, int from)
    {
        if (from >= json.Length) return -1;
        int at = json[from..].IndexOf((byte)'\\');
        return at < 0 ? -1 : from + at;
    }

    private static bool TryHex(ReadOnlySpan<byte> json, int at, out int value)
    {
        value = 0;
        if (at + 4 > json.Length) return false;
        foreach (byte b in json.Slice(at, 4))
        {
            int digit = b switch
            {
                >= (byte)'0' and <= (byte)'9' => b - '0',
                >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
                >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
                _ => -1,
            };
            if (digit < 0) return false;
            value = value * 16 + digit;
        }
        return true;
    }
}
