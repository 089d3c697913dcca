using System.Security.Cryptography;
using System.Text;
using Edge.Tests.Support;
using Edge.Auth;

namespace Edge.Tests.Web;

[TestClass]
public sealed class DigestAuthTests
{
    private const string User = "cam", Password = "s3cret";

    [TestMethod]
    public void ResponsesWithAndWithoutQopVerifyAndAWrongPasswordDoesNot()
    {
        var digest = new DigestAuth(new ManualClock());
        string nonce = NonceOf(digest.Challenge());
        string hash = DigestAuth.Hash(User, Password);
        Assert.IsTrue(DigestAuth.IsValid(hash));
        Assert.AreEqual(DigestCheck.Valid, digest.Verify(Header(nonce, Password, qop: false), "DESCRIBE", _ => hash, out var user));
        Assert.AreEqual(User, user);
        Assert.AreEqual(DigestCheck.Valid, digest.Verify(Header(nonce, Password, qop: true), "DESCRIBE", _ => hash, out _));
        Assert.AreEqual(DigestCheck.Wrong, digest.Verify(Header(nonce, "guess", qop: false), "DESCRIBE", _ => hash, out _));
        Assert.AreEqual(DigestCheck.Wrong, digest.Verify(Header(nonce, Password, qop: false), "PLAY", _ => hash, out _),
            "the method is part of the response");
        Assert.AreEqual(DigestCheck.Wrong, digest.Verify(Header(nonce, Password, qop: false), "DESCRIBE", _ => null, out _),
            "a user without a DigestHash");
    }

    [TestMethod]
    public void NoncesFromElsewhereAreInvalidAndOldOnesAreStale()
    {
        var clock = new ManualClock();
        var digest = new DigestAuth(clock);
        string hash = DigestAuth.Hash(User, Password);
        string forged = "65f00000.00000000000000000000000000000000";
        Assert.AreEqual(DigestCheck.Invalid, digest.Verify(Header(forged, Password, qop: false), "DESCRIBE", _ => hash, out _));
        string nonce = NonceOf(digest.Challenge());
        Assert.AreEqual(DigestCheck.Invalid,
            new DigestAuth(clock).Verify(Header(nonce, Password, qop: false), "DESCRIBE", _ => hash, out _), "another server's key");
        clock.Advance(TimeSpan.FromMinutes(6));
        Assert.AreEqual(DigestCheck.Stale, digest.Verify(Header(nonce, Password, qop: false), "DESCRIBE", _ => hash, out _));
        StringAssert.Contains(digest.Challenge(stale: true), "stale=TRUE");
    }

    [TestMethod]
    public void MalformedHeadersAreInvalid()
    {
        var digest = new DigestAuth(new ManualClock());
        foreach (var header in new[] { "Digest", "Digest username=\"a", "Digest username=a, realm=Other, nonce=x, uri=y, response=z",
            "Basic abc", "Digest ===" })
            Assert.AreEqual(DigestCheck.Invalid, digest.Verify(header, "DESCRIBE", _ => DigestAuth.Hash("a", "b"), out _), header);
    }

    internal static string NonceOf(string challenge)
    {
        int start = challenge.IndexOf("nonce=\"", StringComparison.Ordinal) + 7;
        return challenge[start..challenge.IndexOf('"', start)];
    }

    internal static string Header(string nonce, string password, bool qop, string user = User, string method = "DESCRIBE",
        string uri = "rtsp://127.0.0.1/stream")
    {
        string ha1 = Md5($"{user}:Edge:{password}"), ha2 = Md5($"{method}:{uri}");
        return qop
            ? $"Digest username=\"{user}\", realm=\"Edge\", nonce=\"{nonce}\", uri=\"{uri}\", qop=auth, nc=00000001, cnonce=\"abc\", " +
                $"response=\"{Md5($"{ha1}:{nonce}:00000001:abc:auth:{ha2}")}\""
            : $"Digest username=\"{user}\", realm=\"Edge\", nonce=\"{nonce}\", uri=\"{uri}\", response=\"{Md5($"{ha1}:{nonce}:{ha2}")}\"";
    }

    private static string Md5(string text) => Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(text)));
}
