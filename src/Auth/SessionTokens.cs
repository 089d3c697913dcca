using System.Security.Cryptography;

namespace Edge.Auth;

/// <summary>
/// Browser sessions: random tokens held in memory (a restart logs everyone out). Loop only. Bounded
/// per user, so one user's many logins end that user's oldest session, never another user's.
/// </summary>
public sealed class SessionTokens(TimeProvider time)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(12);
    public const int MaxPerUser = 32;
    private readonly Dictionary<string, (string User, DateTimeOffset Expires)> _sessions = new(StringComparer.Ordinal);

    public string Create(string user)
    {
        var now = time.GetUtcNow();
        // A scan of at most MaxPerUser sessions per configured user, after a password check that costs far more.
        string? oldest = null;
        var oldestExpires = DateTimeOffset.MaxValue;
        int count = 0;
        foreach (var (token, session) in _sessions)
        {
            if (session.Expires <= now) _sessions.Remove(token);
            else if (session.User == user)
            {
                count++;
                if (session.Expires < oldestExpires) (oldest, oldestExpires) = (token, session.Expires);
            }
        }
        if (count >= MaxPerUser) _sessions.Remove(oldest!);
        string created = Convert.ToHexString(RandomNumberGenerator.GetBytes(32));
        _sessions[created] = (user, now + Lifetime);
        return created;
    }

    public bool TryGetUser(string token, out string user)
    {
        user = "";
        if (!_sessions.TryGetValue(token, out var session)) return false;
        if (session.Expires <= time.GetUtcNow())
        {
            _sessions.Remove(token);
            return false;
        }
        user = session.User;
        return true;
    }

    public void Remove(string token) => _sessions.Remove(token);

    public void RetainUsers(IEnumerable<string> users)
    {
        var keep = users.ToHashSet(StringComparer.Ordinal);
        foreach (var (token, session) in _sessions) if (!keep.Contains(session.User)) _sessions.Remove(token);
    }
}
