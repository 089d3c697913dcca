using Edge.Auth;
using Microsoft.Extensions.Logging;

namespace Edge.Hosting;

/// <summary>
/// The users Edge runs with: the configured ones, or on a fresh install the generated <c>admin</c>
/// (<see cref="FirstStartAdmin"/>), whose password is logged once. At start and at every reload.
/// </summary>
public sealed partial class EffectiveUsers(ILogger logger)
{
    /// <summary>The auth settings to apply; throws <see cref="ConfigException"/> when the admin's file cannot be kept.</summary>
    public AuthSettings For(EdgeSettings settings)
    {
        if (!settings.Auth.Enabled || settings.Auth.Users.Count > 0) return settings.Auth;
        UserSettings admin;
        string? newPassword;
        try { admin = FirstStartAdmin.LoadOrCreate(settings.DataDir, out newPassword); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException($"DataDir: cannot keep the generated admin password in '{settings.DataDir}': {e.Message}", e);
        }
        if (newPassword != null) AdminCreated(logger, admin.Name, newPassword, Path.Combine(settings.DataDir, FirstStartAdmin.FileName));
        return new AuthSettings { Enabled = true, Users = [admin] };
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "No users are configured: created user '{User}' with password '{Password}' (shown once; kept for ONVIF and its " +
            "hashes in {File}, readable by this user only). Set Auth:Users with 'edge passwd --user NAME' to replace it.")]
    private static partial void AdminCreated(ILogger logger, string user, string password, string file);
}
