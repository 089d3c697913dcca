namespace Edge.Runtime;

/// <summary>
/// Whether every or any character of a text passes a test: what <c>string.All</c>/<c>Any</c> would
/// say, without LINQ, which native AOT compiles anew for <c>char</c>.
/// </summary>
public static class Chars
{
    public static bool All(ReadOnlySpan<char> text, Func<char, bool> test)
    {
        foreach (char c in text)
        {
            if (!test(c)) return false;
        }
        return true;
    }

    public static bool Any(ReadOnlySpan<char> text, Func<char, bool> test) => !All(text, c => !test(c));
}
