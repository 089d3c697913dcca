namespace Edge.Auth;

public enum AuthOutcome { Allowed, Denied, Throttled, Busy }

/// <summary>The answer of <see cref="Authenticator"/> for one request.</summary>
/// <param name="User">Who was let in; null with auth disabled.</param>
/// <param name="ByCookie">True when the session cookie (not an Authorization header) let the request in.</param>
public readonly record struct AuthResult(AuthOutcome Outcome, string? User = null, bool ByCookie = false, TimeSpan RetryAfter = default);
