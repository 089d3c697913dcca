using System.Security.Cryptography;
using System.Text;
using Edge.State;

namespace Edge.Auth;

/// <summary>
/// What a fresh install does when auth is on but no users are configured: it is never left open.
/// On the first start a random password is made for user <c>admin</c>, its hash (on a second line
/// its Digest hash, for RTSP, and on a third the password itself, for ONVIF WS-Security digests) kept
/// in <c>DATA_DIR/admin.hash</c> (mode 0600), and the password returned once so it can be logged.
/// Configuring <c>Auth:Users</c> replaces this user.
/// </summary>
public static class FirstStartAdmin
{
    public const string UserName = "admin";
    public const string FileName = "admin.hash";

    /// <summary>The generated user; <paramref name="newPassword"/> is set only when it was created just now.</summary>
    public static UserSettings LoadOrCreate(string dataDir, out string? newPassword)
    {
        newPassword = null;
        string path = Path.Combine(dataDir, FileName);
        if (File.Exists(path))
        {
            var lines = File.ReadAllLines(path);
            if (lines.Length > 0 && PasswordHash.IsValid(lines[0].Trim()))
            {
                return new UserSettings
                {
                    Name = UserName,
                    PasswordHash = lines[0].Trim(),
                    DigestHash = lines.Length > 1 && DigestAuth.IsValid(lines[1].Trim()) ? lines[1].Trim() : null,
                    DevicePassword = lines.Length > 2 && lines[2].Trim() is { Length: > 0 } password ? password : null,
                };
            }
        }
        newPassword = Convert.ToBase64String(RandomNumberGenerator.GetBytes(12)).Replace('+', 'x').Replace('/', 'y');
        string hash = PasswordHash.Create(newPassword);
        string digest = DigestAuth.Hash(UserName, newPassword);
        AtomicFile.Write(path, Encoding.UTF8.GetBytes($"{hash}\n{digest}\n{newPassword}\n"));
        return new UserSettings { Name = UserName, PasswordHash = hash, DigestHash = digest, DevicePassword = newPassword };
    }
}
