namespace Edge.Onvif.Xml;

/// <summary>XML name and character rules shared by the reader and the writer.</summary>
internal static class XmlNames
{
    public const string XmlNamespace = "http://www.w3.org/XML/1998/namespace";

    // XML 1.0 (5th edition) NameStartChar; a surrogate stands for the planes above U+FFFF.
    public static bool IsNameStart(char c) => char.IsAsciiLetter(c) || c is '_' or ':'
        or >= '\u00C0' and <= '\u00D6' or >= '\u00D8' and <= '\u00F6' or >= '\u00F8' and <= '\u02FF'
        or >= '\u0370' and <= '\u037D' or >= '\u037F' and <= '\u1FFF' or '\u200C' or '\u200D'
        or >= '\u2070' and <= '\u218F' or >= '\u2C00' and <= '\u2FEF' or >= '\u3001' and <= '\uD7FF'
        or >= '\uD800' and <= '\uDFFF' or >= '\uF900' and <= '\uFDCF' or >= '\uFDF0' and <= '\uFFFD';

    public static bool IsNameChar(char c) => IsNameStart(c) || char.IsAsciiDigit(c)
        || c is '-' or '.' or '\u00B7' or >= '\u0300' and <= '\u036F' or '\u203F' or '\u2040';

    /// <summary>A name with no colon or one colon between two non-empty parts.</summary>
    public static bool IsQualifiedName(ReadOnlySpan<char> name)
    {
        if (name.IsEmpty || !IsNameStart(name[0])) return false;
        foreach (char c in name)
        {
            if (!IsNameChar(c)) return false;
        }
        int colon = name.IndexOf(':');
        return colon < 0 || colon > 0 && colon < name.Length - 1 && name[(colon + 1)..].IndexOf(':') < 0;
    }

    /// <summary>XML 1.0's Char production.</summary>
    public static bool IsXmlChar(int c)
        => c is 0x9 or 0xA or 0xD or >= 0x20 and <= 0xD7FF or >= 0xE000 and <= 0xFFFD or >= 0x10000 and <= 0x10FFFF;

    /// <summary>The index of the first character XML cannot hold (controls, U+FFFE/U+FFFF, unpaired surrogates), or -1.</summary>
    public static int IndexOfInvalidChar(ReadOnlySpan<char> text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) i++;
            else if (!IsXmlChar(c)) return i;
        }
        return -1;
    }
}
