using System.Net;
using System.Security.Cryptography;
using System.Text;
using Edge.Runtime;
using Microsoft.Extensions.Logging;

namespace Edge.Auth;

/// <summary>
/// Checks HTTP Basic credentials and session cookies. Lives on the event loop; password hashing runs
/// on the worker pool, and credentials that verified once are remembered (by their SHA-256) so PBKDF2
/// is paid once per client, not per request.
/// </summary>
public sealed partial class Authenticator : IUserRoles
{
    public const string CookieName = "edge_session";
    private const int MaxRemembered = 64;
    // Hashed when the user name is unknown, so timing does not tell which names exist.
    private static readonly Lazy<string> DecoyHash = new(() => PasswordHash.Create("decoy"));

    private readonly EventLoop _loop;
    private readonly WorkerPool _pool;
    private readonly LoginThrottle _throttle;
    private readonly SessionTokens _tokens;
    private readonly ILogger _logger;
    private readonly Dictionary<string, string> _verified = new(StringComparer.Ordinal);
    // The password check running for an address (by credential digest); see Authenticate.
    private readonly Dictionary<IPAddress, (string Key, Task<bool> Check)> _checking = [];
    private Dictionary<string, string> _users = new(StringComparer.Ordinal);
    private Dictionary<string, string> _digests = new(StringComparer.Ordinal);
    private Dictionary<string, string> _devicePasswords = new(StringComparer.Ordinal);
    private Dictionary<string, UserRole> _roles = new(StringComparer.Ordinal);
    private readonly DigestAuth _digest;

    public Authenticator(EventLoop loop, WorkerPool pool, AuthSettings settings, ILogger logger)
    {
        _loop = loop;
        _pool = pool;
        _logger = logger;
        _throttle = new LoginThrottle(loop.Time);
        _tokens = new SessionTokens(loop.Time);
        _digest = new DigestAuth(loop.Time);
        Apply(settings);
    }

    public bool Enabled { get; private set; }

    /// <summary>
    /// Takes new users or a new on/off switch (SIGHUP). Remembered credentials are forgotten, and browser
    /// sessions end for users who were removed or whose password changed.
    /// </summary>
    public void Apply(AuthSettings settings)
    {
        Enabled = settings.Enabled;
        var users = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var user in settings.Users) users[user.Name] = user.PasswordHash;
        var unchanged = new List<string>();
        foreach (var (name, hash) in users)
        {
            if (_users.TryGetValue(name, out var old) && old == hash) unchanged.Add(name);
        }
        _tokens.RetainUsers(unchanged);
        _users = users;
        _digests = settings.Users.Where(u => !string.IsNullOrEmpty(u.DigestHash))
            .ToDictionary(u => u.Name, u => u.DigestHash!, StringComparer.Ordinal);
        _devicePasswords = settings.Users.Where(u => !string.IsNullOrEmpty(u.DevicePassword))
            .ToDictionary(u => u.Name, u => u.DevicePassword!, StringComparer.Ordinal);
        _roles = settings.Users.ToDictionary(u => u.Name, u => UserRoles.Parse(u.Role) ?? UserRole.Viewer, StringComparer.Ordinal);
        _verified.Clear();
    }

    /// <summary>
    /// The challenges a 401 offers: Basic always, Digest when every user has a DigestHash. Clients
    /// that see Digest answer with it, and a user without a DigestHash could then never log in.
    /// </summary>
    public IEnumerable<string> Challenges(bool stale = false)
    {
        if (_digests.Count > 0 && _digests.Count == _users.Count) yield return _digest.Challenge(stale);
        yield return "Basic realm=\"Edge\"";
    }

    /// <summary>
    /// Checks HTTP Digest credentials of a request with <paramref name="method"/> (RTSP). MD5 is cheap,
    /// so this runs on the loop; failures count toward the same lock-out as Basic. Loop only.
    /// </summary>
    public AuthResult AuthenticateDigest(IPAddress? remote, string authorization, string method, out bool stale)
    {
        _loop.VerifyAccess();
        stale = false;
        if (!Enabled) return new AuthResult(AuthOutcome.Allowed);
        var address = Peer(remote);
        var wait = _throttle.RetryAfter(address);
        if (wait > TimeSpan.Zero) return new AuthResult(AuthOutcome.Throttled, RetryAfter: wait);
        switch (_digest.Verify(authorization, method, name => _digests.GetValueOrDefault(name), out var user))
        {
            case DigestCheck.Valid:
                return new AuthResult(AuthOutcome.Allowed, user);
            case DigestCheck.Stale:
                stale = true;
                return new AuthResult(AuthOutcome.Denied);
            case DigestCheck.Wrong when _users.ContainsKey(user) && !_digests.ContainsKey(user):
                // The client chose a scheme this user cannot use: that is not a wrong password.
                return new AuthResult(AuthOutcome.Denied);
            case DigestCheck.Wrong:
                CountFailure(address, user);
                return new AuthResult(AuthOutcome.Denied);
            default:
                return new AuthResult(AuthOutcome.Denied);
        }
    }

    /// <summary>Decides whether the request may go on. Loop only.</summary>
    public async ValueTask<AuthResult> Authenticate(IPAddress? remote, string? authorization, string? sessionCookie)
    {
        _loop.VerifyAccess();
        if (!Enabled) return new AuthResult(AuthOutcome.Allowed);
        var address = Peer(remote);

        if (authorization == null && sessionCookie != null && _tokens.TryGetUser(sessionCookie, out var cookieUser))
            return new AuthResult(AuthOutcome.Allowed, cookieUser, ByCookie: true);

        if (authorization == null || !TryParseBasic(authorization, out var name, out var password))
        {
            var wait = _throttle.RetryAfter(address);
            return wait > TimeSpan.Zero ? new AuthResult(AuthOutcome.Throttled, RetryAfter: wait) : new AuthResult(AuthOutcome.Denied);
        }
        return await AuthenticatePassword(remote, name, password);
    }

    /// <summary>
    /// Checks a user's name and password (HTTP Basic's, or ONVIF's WS-Security PasswordText) against the
    /// password hash, under the same lock-out. Loop only.
    /// </summary>
    public async ValueTask<AuthResult> AuthenticatePassword(IPAddress? remote, string name, string password)
    {
        _loop.VerifyAccess();
        if (!Enabled) return new AuthResult(AuthOutcome.Allowed);
        var address = Peer(remote);
        var wait = _throttle.RetryAfter(address);
        if (wait > TimeSpan.Zero) return new AuthResult(AuthOutcome.Throttled, RetryAfter: wait);

        // The name's length first: "a" with "b:c" and "a:b" with "c" (a WS-Security name may hold a colon) differ.
        string key = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes($"{name.Length}:{name}:{password}")));
        if (_verified.TryGetValue(key, out var rememberedUser) && _users.ContainsKey(rememberedUser))
            return new AuthResult(AuthOutcome.Allowed, rememberedUser);

        // One password check per address at a time, so a burst of guesses cannot run in parallel before
        // the first failure counts; the same credentials arriving twice share the check.
        Task<bool> check;
        if (_checking.TryGetValue(address, out var running))
        {
            if (running.Key != key) return new AuthResult(AuthOutcome.Throttled, RetryAfter: TimeSpan.FromSeconds(1));
            check = running.Check;
        }
        else
        {
            bool known = _users.TryGetValue(name, out var hash);
            check = Check(address, key, name, password, known ? hash : null);
            if (!check.IsCompleted) _checking[address] = (key, check);
        }
        try
        {
            return await check ? new AuthResult(AuthOutcome.Allowed, name) : new AuthResult(AuthOutcome.Denied);
        }
        catch (PoolFullException)
        {
            return new AuthResult(AuthOutcome.Busy, RetryAfter: TimeSpan.FromSeconds(1));
        }
    }

    // Runs PBKDF2 on the pool; counts a failure once, however many requests share the check.
    private async Task<bool> Check(IPAddress address, string key, string name, string password, string? hash)
    {
        try
        {
            bool match = await _pool.Submit(_ => PasswordHash.Verify(password, hash ?? DecoyHash.Value), PoolFullMode.Reject);
            // A reload while hashing may have changed or removed the user: only the current hash counts.
            bool ok = match && hash != null && _users.TryGetValue(name, out var current) && current == hash;
            if (!ok)
            {
                CountFailure(address, name);
                return false;
            }
            if (_verified.Count >= MaxRemembered) _verified.Clear();
            _verified[key] = name;
            return true;
        }
        finally
        {
            _checking.Remove(address);
        }
    }

    /// <summary>The configured users' names.</summary>
    public IEnumerable<string> UserNames => _users.Keys;

    /// <summary>
    /// What <paramref name="user"/> may do now (a reload can change it mid-session). With auth off
    /// everyone is an admin, as the start-up warning says; a name no longer configured is a viewer.
    /// </summary>
    public UserRole RoleOf(string? user) => !Enabled ? UserRole.Admin
        : user != null && _roles.TryGetValue(user, out var role) ? role : UserRole.Viewer;

    /// <summary>True when <paramref name="user"/> is configured.</summary>
    public bool IsUser(string user) => _users.ContainsKey(user);

    /// <summary>The plain password for ONVIF WS-Security digests, when <paramref name="user"/> has one configured.</summary>
    public string? DevicePassword(string user) => _devicePasswords.GetValueOrDefault(user);

    /// <summary>How long <paramref name="remote"/> is still locked out after failed logins. Loop only.</summary>
    public TimeSpan RetryAfter(IPAddress? remote)
    {
        _loop.VerifyAccess();
        return _throttle.RetryAfter(Peer(remote));
    }

    /// <summary>Counts a failed login checked elsewhere (ONVIF WS-Security) toward the lock-out, and logs it. Loop only.</summary>
    public void RecordFailure(IPAddress? remote, string user)
    {
        _loop.VerifyAccess();
        CountFailure(Peer(remote), user);
    }

    // Every failed login: toward the address's lock-out, and one warning.
    private void CountFailure(IPAddress address, string user)
    {
        _throttle.Failed(address);
        Log.Failed(_logger, user, address);
    }

    /// <summary>Starts a browser session for an authenticated user; the token goes into the session cookie.</summary>
    public string StartSession(string user) => _tokens.Create(user);

    public void EndSession(string? token)
    {
        if (token != null) _tokens.Remove(token);
    }

    // One lock-out count per client across HTTP, RTSP and ONVIF, however its socket spelled the address.
    private static IPAddress Peer(IPAddress? remote) => remote is null ? IPAddress.None : PeerAddress.Normalize(remote);

    private static bool TryParseBasic(string header, out string name, out string password)
    {
        name = password = "";
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase)) return false;
        string decoded;
        try { decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim())); }
        catch (FormatException) { return false; }
        int colon = decoded.IndexOf(':');
        if (colon < 0) return false;
        name = decoded[..colon];
        password = decoded[(colon + 1)..];
        return true;
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Authentication failed for user {User} from {Address}")]
        public static partial void Failed(ILogger logger, string user, System.Net.IPAddress address);
    }
}
