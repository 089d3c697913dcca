namespace Edge.Auth;

/// <summary>The <c>Auth</c> section of the configuration.</summary>
public sealed class AuthSettings
{
    /// <summary>False turns authentication off; only an explicit <c>false</c> in the configuration does.</summary>
    public bool Enabled { get; set; } = true;

    public List<UserSettings> Users { get; set; } = [];
}

public sealed class UserSettings
{
    public string Name { get; set; } = "";

    /// <summary><c>viewer</c>, <c>operator</c> or <c>admin</c> (the default).</summary>
    public string? Role { get; set; }

    /// <summary>Output of <c>edge passwd</c>.</summary>
    public string PasswordHash { get; set; } = "";

    /// <summary>Optional: output of <c>edge passwd --digest NAME</c>, for RTSP clients that use HTTP Digest.</summary>
    public string? DigestHash { get; set; }

    /// <summary>
    /// Optional: the password itself, used only by ONVIF WS-Security, whose PasswordDigest needs it
    /// (a hash cannot be checked against it). Keep a configuration that has one readable by root only.
    /// </summary>
    public string? DevicePassword { get; set; }
}
