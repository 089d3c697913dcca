using System.Security.Cryptography;

namespace Edge.Web.Auth;

/// <summary>Browser sessions: random tokens held in memory (a restart logs everyone out). Loop only; bounded.</summary>
public sealed class SessionTokens(TimeProvider time)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(12);
    private const int MaxSessions = 1024;
    private readonly Dictionary<string, (string User, DateTimeOffset Expires)> _sessions = new(StringComparer.Ordinal);

    public string Create(string user)
    {
        var now = time.GetUtcNow();
        if (_sessions.Count >= MaxSessions)
        {
            foreach (var (token, session) in _sessions) if (session.Expires <= now) _sessions.Remove(token);
            if (_sessions.Count >= MaxSessions) _sessions.Remove(_sessions.MinBy(s => s.Value.Expires).Key);
        }
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
