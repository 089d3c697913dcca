using System.Text;
using Edge.Runtime;

namespace Edge.Files;

/// <summary>
/// Which names a stored file may have: one path segment of 1–255 UTF-8 bytes, no control characters,
/// no '/' or '\', not "." or "..", and not starting with '.' (names that start with '.' are the
/// store's own temporary files).
/// </summary>
public static class StoredFileName
{
    /// <summary>Why <paramref name="name"/> cannot name a file, or null when it can.</summary>
    public static string? Problem(string? name)
    {
        if (string.IsNullOrEmpty(name)) return "A file name is required.";
        if (Encoding.UTF8.GetByteCount(name) > 255) return "A file name is at most 255 bytes of UTF-8.";
        if (name[0] == '.') return "A file name may not start with '.'.";
        foreach (char c in name)
        {
            if (char.IsControl(c) || c is '/' or '\\') return "A file name may not hold '/', '\\' or control characters.";
        }
        if (Chars.Any(name, char.IsSurrogate) && !IsWellFormed(name)) return "A file name must be valid Unicode.";
        return null;
    }

    private static bool IsWellFormed(string name)
    {
        for (int i = 0; i < name.Length; i++)
        {
            if (char.IsHighSurrogate(name[i]) && i + 1 < name.Length && char.IsLowSurrogate(name[i + 1])) i++;
            else if (char.IsSurrogate(name[i])) return false;
        }
        return true;
    }
}
