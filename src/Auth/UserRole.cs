namespace Edge.Auth;

/// <summary>What a user may do. Each role may do everything the roles before it may.</summary>
public enum UserRole
{
    /// <summary>Watches: streams, snapshots, state and events read, ONVIF media reads, /metrics.</summary>
    Viewer,

    /// <summary>Also runs the camera: camera.set, gpio.set, user state, events.add, files.</summary>
    Operator,

    /// <summary>Also changes what Edge is and runs: PUT /config, users, reboot, the runtime inspector.</summary>
    Admin,
}

/// <summary>The roles' names in configuration, messages and ONVIF.</summary>
public static class UserRoles
{
    public static readonly string[] Names = ["viewer", "operator", "admin"];

    /// <summary>The role a configuration names; a user without one is an admin (as before roles existed).</summary>
    public static UserRole? Parse(string? name) => name switch
    {
        null or "" or "admin" => UserRole.Admin,
        "operator" => UserRole.Operator,
        "viewer" => UserRole.Viewer,
        _ => null,
    };

    public static string Name(this UserRole role) => Names[(int)role];

    /// <summary>ONVIF's UserLevel for the role (Administrator, Operator, User).</summary>
    public static string OnvifLevel(this UserRole role) => role switch
    {
        UserRole.Admin => "Administrator",
        UserRole.Operator => "Operator",
        _ => "User",
    };

    /// <summary>The refusal's wording: "camera.set needs the operator role".</summary>
    public static string Refusal(string what, UserRole needed) => $"{what} needs the {needed.Name()} role.";
}
