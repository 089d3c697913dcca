using System.Text;

namespace Edge.Runtime;

/// <summary>
/// An exception's message as clients and the public <c>/readyz</c> may read it: without the file-system
/// paths .NET quotes in it.
/// </summary>
public static class ErrorText
{
    /// <summary>
    /// .NET's I/O messages quote the file ("Read-only file system : '/data/files/.upload-…'", "Access to
    /// the path '/data/x' is denied."). The quoted paths go: they tell a client where the data lives, and
    /// they differ on every upload, which would make each failure a new cause. The rest stays.
    /// </summary>
    public static string WithoutPaths(Exception error) => WithoutPaths(error.Message);

    /// <inheritdoc cref="WithoutPaths(Exception)"/>
    public static string WithoutPaths(string message)
    {
        int quote = message.IndexOf("'/", StringComparison.Ordinal);
        if (quote < 0) return message;
        var text = new StringBuilder(message.Length);
        int from = 0;
        while (quote >= 0)
        {
            int end = message.IndexOf('\'', quote + 2);
            if (end < 0) break;
            text.Append(message, from, quote - from);
            from = end + 1;
            quote = message.IndexOf("'/", from, StringComparison.Ordinal);
        }
        text.Append(message, from, message.Length - from);
        // What surrounded the path: "system : " at the end, "the path  is" and "file ." inside.
        return text.Replace("  ", " ").Replace(" .", ".").ToString().TrimEnd().TrimEnd(':').TrimEnd();
    }
}
