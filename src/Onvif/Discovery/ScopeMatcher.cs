namespace Edge.Onvif.Discovery;

/// <summary>
/// WS-Discovery 2005/04 §5.1 scope matching: does each scope a Probe asks for match one of the device's?
/// Supported rules: RFC 3986 (the default: same scheme and authority, ignoring case, and the probe's
/// path segments a prefix of the device's) and <c>strcmp0</c> (exact). Any other rule matches nothing.
/// </summary>
public static class ScopeMatcher
{
    public const string Rfc3986 = OnvifNamespaces.Discovery + "/rfc3986";
    public const string Strcmp0 = OnvifNamespaces.Discovery + "/strcmp0";

    public static bool Matches(IReadOnlyList<string> probed, string matchBy, IEnumerable<string> scopes)
    {
        if (probed.Count == 0) return true;
        if (matchBy != Rfc3986 && matchBy != Strcmp0) return false;
        var own = scopes.ToList();
        return probed.All(p => own.Exists(s => matchBy == Strcmp0 ? s == p : Rfc3986Match(p, s)));
    }

    /// <summary>True when <paramref name="probe"/> matches <paramref name="scope"/> by the RFC 3986 rule.</summary>
    public static bool Rfc3986Match(string probe, string scope)
    {
        if (Split(probe) is not { } p || Split(scope) is not { } s) return false;
        if (!string.Equals(p.Scheme, s.Scheme, StringComparison.OrdinalIgnoreCase)
            || !string.Equals(p.Authority, s.Authority, StringComparison.OrdinalIgnoreCase)) return false;
        if (p.Segments.Length > s.Segments.Length) return false;
        for (int i = 0; i < p.Segments.Length; i++)
        {
            if (p.Segments[i] != s.Segments[i]) return false;
        }
        return true;
    }

    // scheme ":" ["//" authority] path, with query and fragment dropped and segments unescaped; null for
    // what is not a URI or holds a "." or ".." segment.
    private static (string Scheme, string Authority, string[] Segments)? Split(string uri)
    {
        int colon = uri.IndexOf(':');
        if (colon <= 0) return null;
        string scheme = uri[..colon];
        string rest = uri[(colon + 1)..];
        int end = rest.IndexOfAny(['?', '#']);
        if (end >= 0) rest = rest[..end];
        string authority = "";
        if (rest.StartsWith("//", StringComparison.Ordinal))
        {
            int slash = rest.IndexOf('/', 2);
            authority = slash < 0 ? rest[2..] : rest[2..slash];
            rest = slash < 0 ? "" : rest[slash..];
        }
        string[] segments;
        try
        {
            segments = rest.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Uri.UnescapeDataString).ToArray();
        }
        catch (UriFormatException)
        {
            return null;
        }
        if (segments.Any(x => x is "." or "..")) return null;
        return (scheme, authority, segments);
    }
}
