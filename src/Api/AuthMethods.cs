using Edge.Auth;

namespace Edge.Api;

/// <summary><c>auth.whoami</c>: the caller's name and role, so a UI shows only what the role may do.</summary>
public sealed class AuthMethods(IUserRoles roles)
{
    public void Register(ApiDispatcher dispatcher) => dispatcher.Register("auth.whoami", UserRole.Viewer, WhoAmI);

    private ValueTask<ApiResult> WhoAmI(ApiCall call)
        => ApiResult.Of(new WhoAmIResult(call.Caller.User, roles.RoleOf(call.Caller.User).Name()), ApiJsonContext.Default.WhoAmIResult);
}

public sealed record WhoAmIResult(string? User, string Role);
