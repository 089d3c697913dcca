namespace Edge.Auth;

/// <summary>Who may do what, asked at each call (a reload can change a user's role mid-session).</summary>
public interface IUserRoles
{
    UserRole RoleOf(string? user);
}
