using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Edge.Onvif;

/// <summary>
/// A WS-Security UsernameToken (UsernameToken Profile 1.0) as ONVIF clients send it. With
/// PasswordDigest the password is Base64(SHA-1(nonce + Created + password)), so the check needs the
/// password itself; Created must be within <see cref="MaxClockSkew"/> of the server clock and a nonce
/// counts once (<see cref="NonceCache"/>), which stops replays of a captured request.
/// </summary>
public sealed record UsernameToken(string Username, string Password, bool IsText, string? Nonce, string? Created)
{
    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromMinutes(5);

    /// <summary>
    /// True when the token proves <paramref name="expectedPassword"/>; records the nonce of a valid
    /// digest so it cannot be used again. Loop only (the nonce cache is loop-owned).
    /// </summary>
    public bool Verify(string expectedPassword, DateTimeOffset now, NonceCache nonces)
    {
        if (IsText) return FixedEquals(Encoding.UTF8.GetBytes(Password), Encoding.UTF8.GetBytes(expectedPassword));
        if (Nonce == null || Created == null) return false;
        if (!DateTimeOffset.TryParse(Created, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var created)) return false;
        if ((now - created).Duration() > MaxClockSkew) return false;
        byte[] nonce, digest;
        try
        {
            nonce = Convert.FromBase64String(Nonce);
            digest = Convert.FromBase64String(Password);
        }
        catch (FormatException)
        {
            return false;
        }
        byte[] created8 = Encoding.UTF8.GetBytes(Created), password8 = Encoding.UTF8.GetBytes(expectedPassword);
        byte[] input = [.. nonce, .. created8, .. password8];
        if (!FixedEquals(SHA1.HashData(input), digest)) return false;
        return nonces.TryAdd(Nonce, now);
    }

    private static bool FixedEquals(byte[] a, byte[] b) => CryptographicOperations.FixedTimeEquals(a, b);
}
