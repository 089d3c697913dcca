using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Edge.Tests.Support;
using Edge.Web.Tls;

namespace Edge.Tests.Web;

/// <summary>HTTPS on a real server with real TLS clients (HttpClient and curl): certificates, reloads, redirect and HSTS.</summary>
[TestClass]
public sealed class HttpsTests
{
    private static Uri HttpsUri(EdgeServer server) => server.Host.Urls.Single(u => u.Scheme == "https");

    private static string TlsFile(EdgeServer server, string name) => Path.Combine(server.DataDir, "tls", name);

    // A client that trusts exactly one certificate, and reports the one it was shown.
    private static HttpClient Pinned(X509Certificate2 trusted, List<string> seen) => new(new SocketsHttpHandler
    {
        SslOptions = new SslClientAuthenticationOptions
        {
            RemoteCertificateValidationCallback = (_, certificate, _, _) =>
            {
                seen.Add(certificate!.GetCertHashString());
                return certificate.GetCertHashString() == trusted.GetCertHashString();
            },
        },
    });

    private static X509Certificate2 Make(string directory, string name)
    {
        var (certificate, key) = SelfSignedCertificate.Create(name, [], DateTimeOffset.UtcNow);
        File.WriteAllText(Path.Combine(directory, name + ".crt"), certificate);
        File.WriteAllText(Path.Combine(directory, name + ".key"), key);
        return X509Certificate2.CreateFromPem(certificate);
    }

    [TestMethod]
    public async Task TheSelfSignedCertificateIsMadeAtStartLoadedAtTheFirstHandshakeAndServesTrustingClients()
    {
        await using var server = await EdgeServer.Start();
        await Eventually.True(() => File.Exists(TlsFile(server, "edge.crt")), "the certificate is made at start");
        Assert.AreEqual(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(TlsFile(server, "edge.key")));
        Assert.IsFalse(server.Log.Lines.Any(l => l.Contains("Overriding address")), "Kestrel binds only what Edge asks for");
        Assert.IsFalse(server.Log.Lines.Any(l => l.Contains("Loaded the HTTPS certificate")), "not loaded before anyone uses HTTPS");

        var certificate = X509Certificate2.CreateFromPem(File.ReadAllText(TlsFile(server, "edge.crt")));
        var seen = new List<string>();
        using var client = Pinned(certificate, seen);
        using var health = await client.GetAsync(new Uri(HttpsUri(server), "/healthz"));
        Assert.AreEqual(HttpStatusCode.OK, health.StatusCode);
        Assert.IsTrue(server.Log.Lines.Any(l => l.Contains("Loaded the HTTPS certificate")));

        // curl checks the chain and that the address is among the certificate's names.
        string url = new Uri(HttpsUri(server), "/healthz").ToString();
        var curl = await Tools.Run("curl", ["-sS", "--fail", "--cacert", TlsFile(server, "edge.crt"), url]);
        Assert.AreEqual(0, curl.ExitCode, curl.Error);
        Assert.AreEqual("ok", curl.Output.Trim());
    }

    [TestMethod]
    public async Task AClientThatTrustsAnotherCertificateIsRefused()
    {
        await using var server = await EdgeServer.Start();
        string other = Directory.CreateTempSubdirectory("edge-other-").FullName;
        var stranger = Make(other, "stranger");
        using var client = Pinned(stranger, []);
        await Assert.ThrowsExactlyAsync<HttpRequestException>(() => client.GetAsync(new Uri(HttpsUri(server), "/healthz")));
        var curl = await Tools.Run("curl",
            ["-sS", "--cacert", Path.Combine(other, "stranger.crt"), new Uri(HttpsUri(server), "/healthz").ToString()]);
        Assert.AreEqual(60, curl.ExitCode, "curl: peer certificate cannot be authenticated");
        Directory.Delete(other, recursive: true);
    }

    [TestMethod]
    public async Task ConfiguredPemFilesAreServedAndReplacedFilesArePickedUpWithoutARestart()
    {
        string dir = Directory.CreateTempSubdirectory("edge-pem-").FullName;
        var first = Make(dir, "first");
        File.Copy(Path.Combine(dir, "first.crt"), Path.Combine(dir, "live.crt"));
        File.Copy(Path.Combine(dir, "first.key"), Path.Combine(dir, "live.key"));
        var clock = new ManualClock();
        string https =
            $"\"Https\":{{\"CertificateFile\":\"{Path.Combine(dir, "live.crt")}\",\"KeyFile\":\"{Path.Combine(dir, "live.key")}\"}},";
        await using var server = await EdgeServer.Start(EdgeServer.ConfigWithUsers(https), clock);
        var seen = new List<string>();
        using (var client = Pinned(first, seen))
            Assert.AreEqual(HttpStatusCode.OK, (await client.GetAsync(new Uri(HttpsUri(server), "/healthz"))).StatusCode);
        Assert.IsFalse(Directory.Exists(Path.Combine(server.DataDir, "tls")), "no self-signed certificate when files are configured");

        var second = Make(dir, "second");
        File.Copy(Path.Combine(dir, "second.crt"), Path.Combine(dir, "live.crt"), overwrite: true);
        File.Copy(Path.Combine(dir, "second.key"), Path.Combine(dir, "live.key"), overwrite: true);
        await Eventually.True(async () =>
        {
            clock.Advance(TimeSpan.FromSeconds(5));
            using var client = Pinned(second, []);
            try { return (await client.GetAsync(new Uri(HttpsUri(server), "/healthz"))).StatusCode == HttpStatusCode.OK; }
            catch (HttpRequestException) { return false; }
        }, "new handshakes present the replaced certificate");
        Directory.Delete(dir, recursive: true);
    }

    [TestMethod]
    public async Task ASighupReloadSwitchesToTheCertificateTheNewConfigurationNames()
    {
        string dir = Directory.CreateTempSubdirectory("edge-pem-").FullName;
        var first = Make(dir, "first");
        var second = Make(dir, "second");
        string Https(string name)
            => $"\"Https\":{{\"CertificateFile\":\"{Path.Combine(dir, name + ".crt")}\"," +
                $"\"KeyFile\":\"{Path.Combine(dir, name + ".key")}\"}},";
        await using var server = await EdgeServer.Start(EdgeServer.ConfigWithUsers(Https("first")));
        using (var client = Pinned(first, []))
            Assert.AreEqual(HttpStatusCode.OK, (await client.GetAsync(new Uri(HttpsUri(server), "/healthz"))).StatusCode);
        File.WriteAllText(Path.Combine(Path.GetDirectoryName(server.DataDir)!, "edge.json"), EdgeServer.ConfigWithUsers(Https("second")));
        await server.Host.Loop.InvokeAsync(() => server.Host.Reload());
        using (var client = Pinned(second, []))
            Assert.AreEqual(HttpStatusCode.OK, (await client.GetAsync(new Uri(HttpsUri(server), "/healthz"))).StatusCode);
        Directory.Delete(dir, recursive: true);
    }

    [TestMethod]
    public async Task WithRedirectAndHstsHttpRequestsGoToHttpsExceptHealthProbes()
    {
        await using var server =
            await EdgeServer.Start(EdgeServer.ConfigWithUsers("\"Https\":{\"RedirectHttp\":true,\"HstsSeconds\":600},"));
        using var noRedirects = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = server.BaseUri };
        using var redirect = await noRedirects.GetAsync("/index.html?x=1");
        Assert.AreEqual(HttpStatusCode.PermanentRedirect, redirect.StatusCode);
        Assert.AreEqual($"https://127.0.0.1:{HttpsUri(server).Port}/index.html?x=1", redirect.Headers.Location!.ToString());
        Assert.AreEqual(HttpStatusCode.OK, (await noRedirects.GetAsync("/healthz")).StatusCode);
        Assert.IsFalse((await noRedirects.GetAsync("/healthz")).Headers.Contains("Strict-Transport-Security"));

        await Eventually.True(() => File.Exists(TlsFile(server, "edge.crt")), "the certificate is made at start");
        var certificate = X509Certificate2.CreateFromPem(File.ReadAllText(TlsFile(server, "edge.crt")));
        using var client = Pinned(certificate, []);
        using var secure = await client.GetAsync(new Uri(HttpsUri(server), "/healthz"));
        Assert.AreEqual("max-age=600", secure.Headers.GetValues("Strict-Transport-Security").Single());
    }

    [TestMethod]
    public async Task WithHttpsOffOnlyHttpListens()
    {
        await using var server = await EdgeServer.Start(EdgeServer.ConfigWithUsers("\"Https\":{\"Enabled\":false},"));
        Assert.IsFalse(server.Host.Urls.Any(u => u.Scheme == "https"));
        Assert.IsFalse(Directory.Exists(Path.Combine(server.DataDir, "tls")));
    }
}
