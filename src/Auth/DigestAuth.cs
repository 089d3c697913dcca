using System.Security.Cryptography;
using System.Text;
using Edge.Runtime;

namespace Edge.Auth;

/// <summary>
/// HTTP Digest (RFC 2617, MD5; with or without qop=auth) for the RTSP clients that insist on it.
/// A user's <c>DigestHash</c> is <c>md5:</c> + MD5(name:Edge:password), made by
/// <c>edge passwd --digest NAME</c>. Nonces are stateless (a time and its HMAC under a key made at
/// start) and expire after 5 minutes.
/// </summary>
public sealed class DigestAuth(TimeProvider time)
{
    public const string Realm = "Edge";
    private const string Prefix = "md5:";
    private static readonly TimeSpan NonceLifetime = TimeSpan.FromMinutes(5);

    // Made on first use: loading the crypto library at start-up would cost every install ~4 MB of RSS.
    private readonly Lazy<byte[]> _key = new(() => RandomNumberGenerator.GetBytes(32));

    /// <summary>The <c>DigestHash</c> of a user.</summary>
    public static string Hash(string user, string password) => Prefix + Md5($"{user}:{Realm}:{password}");

    public static bool IsValid(string hash)
        => hash.Length == Prefix.Length + 32 && hash.StartsWith(Prefix, StringComparison.Ordinal)
            && Chars.All(hash.AsSpan(Prefix.Length), char.IsAsciiHexDigitLower);

    /// <summary>A WWW-Authenticate value with a fresh nonce; <paramref name="stale"/> tells the client to retry with it.</summary>
    public string Challenge(bool stale = false)
        => $"Digest realm=\"{Realm}\", nonce=\"{Nonce(time.GetUtcNow().ToUnixTimeSeconds())}\", " +
            $"algorithm=MD5{(stale ? ", stale=TRUE" : "")}";

    /// <summary>
    /// Checks a <c>Digest …</c> Authorization header of a request with <paramref name="method"/>;
    /// <paramref name="hashOf"/> gives a user's DigestHash (null when the user has none).
    /// </summary>
    public DigestCheck Verify(string header, string method, Func<string, string?> hashOf, out string user)
    {
        user = "";
        if (!header.StartsWith("Digest ", StringComparison.OrdinalIgnoreCase) || Parse(header[7..]) is not { } fields)
            return DigestCheck.Invalid;
        if (!fields.TryGetValue("username", out var name) || !fields.TryGetValue("nonce", out var nonce)
            || !fields.TryGetValue("uri", out var uri) || !fields.TryGetValue("response", out var response)
            || fields.GetValueOrDefault("realm") != Realm
            || fields.TryGetValue("algorithm", out var algorithm) && !algorithm.Equals("MD5", StringComparison.OrdinalIgnoreCase))
            return DigestCheck.Invalid;
        user = name;
        if (!NonceIsOurs(nonce, out bool expired)) return DigestCheck.Invalid;
        if (hashOf(name) is not { } stored || !IsValid(stored)) return DigestCheck.Wrong;
        string ha1 = stored[Prefix.Length..];
        string ha2 = Md5($"{method}:{uri}");
        string expected = fields.TryGetValue("qop", out var qop)
            ? qop == "auth" && fields.TryGetValue("nc", out var nc) && fields.TryGetValue("cnonce", out var cnonce)
                ? Md5($"{ha1}:{nonce}:{nc}:{cnonce}:auth:{ha2}")
                : ""
            : Md5($"{ha1}:{nonce}:{ha2}");
        bool match = expected.Length == 32
            && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected),
                Encoding.ASCII.GetBytes(response.ToLowerInvariant()));
        if (!match) return DigestCheck.Wrong;
        return expired ? DigestCheck.Stale : DigestCheck.Valid;
    }

    private string Nonce(long seconds)
    {
        string stamp = seconds.ToString("x");
        return stamp + "." + Convert.ToHexStringLower(HMACSHA256.HashData(_key.Value, Encoding.ASCII.GetBytes(stamp)).AsSpan(0, 16));
    }

    private bool NonceIsOurs(string nonce, out bool expired)
    {
        expired = false;
        int dot = nonce.IndexOf('.');
        if (dot <= 0 || !long.TryParse(nonce[..dot], System.Globalization.NumberStyles.HexNumber, null, out long seconds)) return false;
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Nonce(seconds)), Encoding.ASCII.GetBytes(nonce))) return false;
        expired = time.GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(seconds) > NonceLifetime;
        return true;
    }

    // name=value pairs, values quoted or not, separated by commas.
    private static Dictionary<string, string>? Parse(string text)
    {
        var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        int i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && (text[i] == ' ' || text[i] == ',')) i++;
            if (i >= text.Length) break;
            int equals = text.IndexOf('=', i);
            if (equals < 0) return null;
            string name = text[i..equals].Trim();
            i = equals + 1;
            string value;
            if (i < text.Length && text[i] == '"')
            {
                int close = text.IndexOf('"', i + 1);
                if (close < 0) return null;
                value = text[(i + 1)..close];
                i = close + 1;
            }
            else
            {
                int comma = text.IndexOf(',', i);
                value = (comma < 0 ? text[i..] : text[i..comma]).Trim();
                i = comma < 0 ? text.Length : comma;
            }
            fields[name] = value;
        }
        return fields;
    }

    private static string Md5(string text) => Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(text)));
}

public enum DigestCheck { Valid, Stale, Wrong, Invalid }
