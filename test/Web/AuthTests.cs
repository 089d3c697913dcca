using System.Net;
using System.Net.WebSockets;
using System.Text;
using Edge.Tests.Support;
using Edge.Auth;

namespace Edge.Tests.Web;

[TestClass]
public sealed class AuthTests
{
    private static StringContent Ping() => new("""{"id":1,"method":"ping"}""", Encoding.UTF8, "application/json");

    [TestMethod]
    public async Task TheApiNeedsCredentialsAndAnswers401WithABasicChallenge()
    {
        await using var server = await EdgeServer.Start();
        using var anonymous = new HttpClient { BaseAddress = server.BaseUri };
        using var response = await anonymous.PostAsync("/api", Ping());
        Assert.AreEqual(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.AreEqual("Basic", response.Headers.WwwAuthenticate.Single().Scheme);
        StringAssert.Contains(response.Headers.WwwAuthenticate.Single().Parameter, "realm=\"Edge\"");

        var socket = new ClientWebSocket { Options = { CollectHttpResponseDetails = true } };
        await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(server.ApiSocketUri, CancellationToken.None));
        Assert.AreEqual(HttpStatusCode.Unauthorized, socket.HttpStatusCode);
    }

    [TestMethod]
    public async Task WrongPasswordsAndUnknownUsersAreRefused()
    {
        await using var server = await EdgeServer.Start();
        foreach (var (user, password) in new[] { (EdgeServer.User, "wrong"), ("nobody", EdgeServer.Password), (EdgeServer.User, "") })
        {
            using var client = new HttpClient { BaseAddress = server.BaseUri };
            client.DefaultRequestHeaders.Authorization = EdgeServer.BasicAuth(user, password);
            using var response = await client.PostAsync("/api", Ping());
            Assert.AreEqual(HttpStatusCode.Unauthorized, response.StatusCode, $"{user}:{password}");
        }
        using var garbage = new HttpRequestMessage(HttpMethod.Post, "/api") { Content = Ping() };
        garbage.Headers.TryAddWithoutValidation("Authorization", "Basic !!!not-base64");
        using (var response = await server.Http.SendAsync(garbage))
            Assert.AreEqual(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.AreEqual("pong", (await server.Call("ping")).GetProperty("result").GetString());
    }

    [TestMethod]
    public async Task RepeatedFailuresFromOneAddressAreSlowedDownWithGrowingLockouts()
    {
        var clock = new ManualClock();
        await using var server = await EdgeServer.Start(time: clock);
        using var attacker = new HttpClient { BaseAddress = server.BaseUri };
        attacker.DefaultRequestHeaders.Authorization = EdgeServer.BasicAuth(EdgeServer.User, "guess");
        async Task<HttpResponseMessage> Try(HttpClient client) => await client.PostAsync("/api", Ping());

        for (int i = 0; i < LoginThrottle.FreeFailures; i++)
            Assert.AreEqual(HttpStatusCode.Unauthorized, (await Try(attacker)).StatusCode, $"free failure {i}");
        Assert.AreEqual(HttpStatusCode.Unauthorized, (await Try(attacker)).StatusCode, "this failure starts a 1 s lock-out");
        var locked = await Try(attacker);
        Assert.AreEqual((HttpStatusCode)429, locked.StatusCode);
        Assert.AreEqual(TimeSpan.FromSeconds(1), locked.Headers.RetryAfter!.Delta);
        Assert.AreEqual((HttpStatusCode)429, (await Try(server.Http)).StatusCode, "even the right password waits out the lock-out");

        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.AreEqual(HttpStatusCode.Unauthorized, (await Try(attacker)).StatusCode, "next failure doubles the lock-out");
        Assert.AreEqual(TimeSpan.FromSeconds(2), (await Try(attacker)).Headers.RetryAfter!.Delta);

        clock.Advance(TimeSpan.FromSeconds(2));
        Assert.AreEqual(HttpStatusCode.OK, (await Try(server.Http)).StatusCode, "after the lock-out the right password works");
        Assert.AreEqual(HttpStatusCode.Unauthorized, (await Try(attacker)).StatusCode);
        Assert.AreEqual(TimeSpan.FromSeconds(4), (await Try(attacker)).Headers.RetryAfter!.Delta,
            "a success from the same address does not reset the count, so one account cannot be used to keep guessing another");

        clock.Advance(TimeSpan.FromMinutes(16));
        Assert.AreEqual(HttpStatusCode.Unauthorized, (await Try(attacker)).StatusCode, "15 minutes without failures forget the count");
        Assert.AreEqual(HttpStatusCode.Unauthorized, (await Try(attacker)).StatusCode, "so failures are free again");
    }

    [TestMethod]
    public async Task ChangingAPasswordOnReloadEndsThatUsersBrowserSessions()
    {
        await using var server = await EdgeServer.Start();
        var cookies = new CookieContainer();
        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = cookies }) { BaseAddress = server.BaseUri };
        using (var login = new HttpRequestMessage(HttpMethod.Post, "/login"))
        {
            login.Headers.Authorization = EdgeServer.BasicAuth(EdgeServer.User, EdgeServer.Password);
            Assert.AreEqual(HttpStatusCode.NoContent, (await browser.SendAsync(login)).StatusCode);
        }
        Assert.AreEqual("pong", (await server.Call("ping", client: browser)).GetProperty("result").GetString());

        string configPath = Path.Combine(Path.GetDirectoryName(server.DataDir)!, "edge.json");
        string newHash = PasswordHash.Create("new password", 1000);
        File.WriteAllText(configPath, $$$"""{"Auth":{"Users":[{"Name":"{{{EdgeServer.User}}}","PasswordHash":"{{{newHash}}}"}]}}""");
        await server.Host.Loop.InvokeAsync(() => server.Host.Reload());

        using var stale = await browser.PostAsync("/api", Ping());
        Assert.AreEqual(HttpStatusCode.Unauthorized, stale.StatusCode, "the session of the old password ended");
        using var old = new HttpClient { BaseAddress = server.BaseUri };
        old.DefaultRequestHeaders.Authorization = EdgeServer.BasicAuth(EdgeServer.User, EdgeServer.Password);
        Assert.AreEqual(HttpStatusCode.Unauthorized, (await old.PostAsync("/api", Ping())).StatusCode, "the old password no longer works");
    }

    [TestMethod]
    public async Task RequestsFromAnotherSiteAreRefusedEvenWithValidCredentials()
    {
        await using var server = await EdgeServer.Start();
        using var forged = new HttpRequestMessage(HttpMethod.Post, "/api") { Content = Ping() };
        forged.Headers.Add("Origin", "http://evil.example");
        Assert.AreEqual(HttpStatusCode.Forbidden, (await server.Http.SendAsync(forged)).StatusCode);
        using var same = new HttpRequestMessage(HttpMethod.Post, "/api") { Content = Ping() };
        same.Headers.Add("Origin", server.BaseUri.GetLeftPart(UriPartial.Authority));
        Assert.AreEqual(HttpStatusCode.OK, (await server.Http.SendAsync(same)).StatusCode);
    }

    [TestMethod]
    public async Task AFreshInstallWithoutUsersGetsAGeneratedAdminPasswordLoggedOnce()
    {
        await using var first = await EdgeServer.Start("{}");
        string line = first.Log.Lines.Single(l => l.Contains("created user 'admin'"));
        string password = line.Split("password '")[1].Split('\'')[0];
        Assert.IsGreaterThanOrEqualTo(12, password.Length);
        Assert.IsTrue(File.Exists(Path.Combine(first.DataDir, FirstStartAdmin.FileName)));
        Assert.AreEqual(UnixFileMode.UserRead | UnixFileMode.UserWrite,
            File.GetUnixFileMode(Path.Combine(first.DataDir, FirstStartAdmin.FileName)));

        using var anonymous = new HttpClient { BaseAddress = first.BaseUri };
        Assert.AreEqual(HttpStatusCode.Unauthorized, (await anonymous.PostAsync("/api", Ping())).StatusCode);
        using var admin = new HttpClient { BaseAddress = first.BaseUri };
        admin.DefaultRequestHeaders.Authorization = EdgeServer.BasicAuth("admin", password);
        Assert.AreEqual("pong", (await first.Call("ping", client: admin)).GetProperty("result").GetString());

        string dataDir = first.DataDir;
        await first.Stop();
        await using var second = await EdgeServer.Start("{}", null, "--data-dir", dataDir);
        Assert.IsFalse(second.Log.Lines.Any(l => l.Contains("password '")), "the password is shown only once");
        using var again = new HttpClient { BaseAddress = second.BaseUri };
        again.DefaultRequestHeaders.Authorization = EdgeServer.BasicAuth("admin", password);
        Assert.AreEqual("pong", (await second.Call("ping", client: again)).GetProperty("result").GetString());
    }

    [TestMethod]
    public async Task AuthIsOffOnlyWhenDisabledExplicitlyAndThatIsLogged()
    {
        await using var server = await EdgeServer.Start("""{"Auth":{"Enabled":false}}""");
        using var anonymous = new HttpClient { BaseAddress = server.BaseUri };
        Assert.AreEqual("pong", (await server.Call("ping", client: anonymous)).GetProperty("result").GetString());
        Assert.IsTrue(server.Log.Lines.Any(l => l.StartsWith("Warning") && l.Contains("Authentication is disabled")));
    }

    [TestMethod]
    public async Task HealthAndTheUiArePublic()
    {
        await using var server = await EdgeServer.Start();
        using var anonymous = new HttpClient { BaseAddress = server.BaseUri };
        Assert.AreEqual(HttpStatusCode.OK, (await anonymous.GetAsync("/healthz")).StatusCode);
        Assert.AreEqual(HttpStatusCode.OK, (await anonymous.GetAsync("/readyz")).StatusCode);
        Assert.AreEqual(HttpStatusCode.OK, (await anonymous.GetAsync("/")).StatusCode);
    }

    [TestMethod]
    public async Task OneUsersThousandLoginsEndOnlyThatUsersOldestSessionsAndCookiesLastTwelveHours()
    {
        string hash = PasswordHash.Create("other pass", 1000);
        await using var server = await EdgeServer.Start(EdgeServer.ConfigWithUsers("")
            .Replace("]}}", $$$""",{"Name":"other","PasswordHash":"{{{hash}}}"}]}}""", StringComparison.Ordinal));
        async Task<string> Login(string user, string password)
        {
            using var login = new HttpRequestMessage(HttpMethod.Post, "/login");
            login.Headers.Authorization = EdgeServer.BasicAuth(user, password);
            using var response = await server.Http.SendAsync(login);
            Assert.AreEqual(HttpStatusCode.NoContent, response.StatusCode);
            string setCookie = response.Headers.GetValues("Set-Cookie").Single();
            StringAssert.Contains(setCookie, "max-age=43200", "12 hours");
            return setCookie[..setCookie.IndexOf(';')];
        }
        async Task<HttpStatusCode> PingWith(string cookie)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api") { Content = AuthTests.Ping() };
            request.Headers.Add("Cookie", cookie);
            using var anonymous = new HttpClient { BaseAddress = server.BaseUri };
            return (await anonymous.SendAsync(request)).StatusCode;
        }
        StringAssert.Contains(File.ReadAllText(Path.Combine(Repository.Root, "README.md")).ReplaceLineEndings(" "),
            "The login cookie lasts until you log out or for 12 hours", "the README says what the cookie does");
        string others = await Login("other", "other pass");
        string first = await Login(EdgeServer.User, EdgeServer.Password);
        string last = first;
        for (int i = 0; i < 1030; i++) last = await Login(EdgeServer.User, EdgeServer.Password);
        Assert.AreEqual(HttpStatusCode.OK, await PingWith(others), "another user's session survives");
        Assert.AreEqual(HttpStatusCode.OK, await PingWith(last));
        Assert.AreEqual(HttpStatusCode.Unauthorized, await PingWith(first), "the user's own oldest session made room");
    }

    [TestMethod]
    public async Task ABrowserLoginSetsASessionCookieThatOpensTheApiAndTheWebSocket()
    {
        await using var server = await EdgeServer.Start();
        var cookies = new CookieContainer();
        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = cookies }) { BaseAddress = server.BaseUri };
        using (var login = new HttpRequestMessage(HttpMethod.Post, "/login"))
        {
            login.Headers.Authorization = EdgeServer.BasicAuth(EdgeServer.User, "wrong");
            Assert.AreEqual(HttpStatusCode.Unauthorized, (await browser.SendAsync(login)).StatusCode);
        }
        using (var login = new HttpRequestMessage(HttpMethod.Post, "/login"))
        {
            login.Headers.Authorization = EdgeServer.BasicAuth(EdgeServer.User, EdgeServer.Password);
            using var response = await browser.SendAsync(login);
            Assert.AreEqual(HttpStatusCode.NoContent, response.StatusCode);
            string setCookie = response.Headers.GetValues("Set-Cookie").Single();
            StringAssert.Contains(setCookie, "httponly");
            StringAssert.Contains(setCookie, "samesite=strict");
        }
        Assert.AreEqual("pong", (await server.Call("ping", client: browser)).GetProperty("result").GetString());
        using (var form = await browser.PostAsync("/api", new StringContent("""{"id":1,"method":"ping"}""", Encoding.UTF8, "text/plain")))
            Assert.AreEqual(HttpStatusCode.UnsupportedMediaType, form.StatusCode, "a cookie alone does not let a cross-site form post in");

        string cookie = cookies.GetCookieHeader(server.BaseUri);
        using (var socket = new ClientWebSocket())
        {
            socket.Options.SetRequestHeader("Cookie", cookie);
            socket.Options.SetRequestHeader("Origin", server.BaseUri.GetLeftPart(UriPartial.Authority));
            await socket.ConnectAsync(server.ApiSocketUri, CancellationToken.None);
            using var api = new ApiSocket(socket);
            Assert.AreEqual("pong", (await api.Call("ping")).GetProperty("result").GetString());
        }
        using (var foreign = new ClientWebSocket { Options = { CollectHttpResponseDetails = true } })
        {
            foreign.Options.SetRequestHeader("Cookie", cookie);
            foreign.Options.SetRequestHeader("Origin", "http://evil.example");
            await Assert.ThrowsAsync<WebSocketException>(() => foreign.ConnectAsync(server.ApiSocketUri, CancellationToken.None));
            Assert.AreEqual(HttpStatusCode.Forbidden, foreign.HttpStatusCode);
        }

        Assert.AreEqual(HttpStatusCode.NoContent, (await browser.PostAsync("/logout", null)).StatusCode);
        using var stale = new HttpRequestMessage(HttpMethod.Post, "/api") { Content = Ping() };
        stale.Headers.Add("Cookie", cookie);
        using var plain = new HttpClient(new HttpClientHandler { UseCookies = false }) { BaseAddress = server.BaseUri };
        Assert.AreEqual(HttpStatusCode.Unauthorized, (await plain.SendAsync(stale)).StatusCode, "the session ended at logout");
    }
}
