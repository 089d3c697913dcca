using System.Security.Cryptography;
using System.Text;

namespace Edge.Auth;

/// <summary>
/// PBKDF2-HMAC-SHA256 password hashes in the PHC-like form <c>$pbkdf2-sha256$i=ITERATIONS$SALT$HASH</c>
/// (salt and hash in unpadded base64). <c>edge passwd</c> prints one for the config file.
/// </summary>
public static class PasswordHash
{
    public const int DefaultIterations = 100_000;
    private const string Prefix = "$pbkdf2-sha256$i=";
    private const int SaltBytes = 16;
    private const int HashBytes = 32;

    public static string Create(string password, int iterations = DefaultIterations)
    {
        byte[] salt = RandomNumberGenerator.GetBytes(SaltBytes);
        byte[] hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, HashBytes);
        return $"{Prefix}{iterations}${Base64(salt)}${Base64(hash)}";
    }

    /// <summary>True when <paramref name="encoded"/> is a hash this class can verify.</summary>
    public static bool IsValid(string? encoded) => TryParse(encoded, out _, out _, out _);

    /// <summary>Checks a password in constant time with respect to the stored hash. CPU-heavy: run it on the worker pool.</summary>
    public static bool Verify(string password, string encoded)
    {
        if (!TryParse(encoded, out int iterations, out byte[] salt, out byte[] expected)) return false;
        byte[] actual = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256,
            expected.Length);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    private static bool TryParse(string? encoded, out int iterations, out byte[] salt, out byte[] hash)
    {
        iterations = 0;
        salt = hash = [];
        if (encoded == null || !encoded.StartsWith(Prefix, StringComparison.Ordinal)) return false;
        var parts = encoded[Prefix.Length..].Split('$');
        // Bounded both ways: too few is weak, too many ties up a worker for minutes per login.
        if (parts.Length != 3 || !int.TryParse(parts[0], out iterations) || iterations is < 1000 or > 10_000_000) return false;
        try
        {
            salt = FromBase64(parts[1]);
            hash = FromBase64(parts[2]);
        }
        catch (FormatException)
        {
            return false;
        }
        return salt.Length >= 8 && hash.Length >= 16;
    }

    private static string Base64(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=');

    private static byte[] FromBase64(string text) => Convert.FromBase64String(text.PadRight((text.Length + 3) / 4 * 4, '='));
}
