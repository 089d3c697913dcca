using System.Text;

namespace Edge.Native;

/// <summary>NUL-terminated UTF-8 strings in fixed-size kernel struct fields.</summary>
internal static unsafe class CString
{
    /// <summary>The text up to the first NUL (or all <paramref name="capacity"/> bytes).</summary>
    public static string Read(byte* characters, int capacity)
    {
        var bytes = new ReadOnlySpan<byte>(characters, capacity);
        int end = bytes.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? bytes : bytes[..end]);
    }

    /// <summary>
    /// Writes <paramref name="text"/> cut to <paramref name="capacity"/> - 1 bytes, then a NUL (the field
    /// must be zeroed).
    /// </summary>
    public static void Write(string text, byte* destination, int capacity)
    {
        var field = new Span<byte>(destination, capacity - 1);
        Encoding.UTF8.TryGetBytes(text.AsSpan(0, Math.Min(text.Length, capacity - 1)), field, out int written);
        destination[written] = 0;
    }
}
