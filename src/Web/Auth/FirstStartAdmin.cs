using System.Security.Cryptography;
using System.Text;
using Edge.State;

namespace Edge.Web.Auth;

/// <summary>
/// What a fresh install does when auth is on but no users are configured: it is never left open.
/// On the first start a random password is made for user <c>admin</c>, its hash kept in
/// <c>DATA_DIR/admin.hash</c>, and the password itself returned once so it can be logged.
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
            string stored = File.ReadAllText(path).Trim();
            if (PasswordHash.IsValid(stored)) return new UserSettings { Name = UserName, PasswordHash = stored };
        }
        newPassword = Convert.ToBase64String(RandomNumberGenerator.GetBytes(12)).Replace('+', 'x').Replace('/', 'y');
        string hash = PasswordHash.Create(newPassword);
        AtomicFile.Write(path, Encoding.UTF8.GetBytes(hash + "\n"));
        return new UserSettings { Name = UserName, PasswordHash = hash };
    }
}
