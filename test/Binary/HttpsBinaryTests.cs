using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Edge.Tests.Support;

namespace Edge.Tests.Binary;

/// <summary>
/// HTTPS in the published binary, which is built without the framework's certificate downloads
/// (src/Web/Tls/NoCertificateDownloads.xml): handshakes work with the self-signed certificate and with
/// a CA-issued one that names OCSP and issuer URLs and comes without its chain.
/// </summary>
[TestClass]
public sealed class HttpsBinaryTests
{
    private static ScratchFolder _dir = null!;

    [ClassInitialize]
    public static async Task Publish(TestContext _)
    {
        await PublishedBinary.Ensure();
        _dir = new ScratchFolder("edge-tls-");
    }

    [ClassCleanup]
    public static void Cleanup() => _dir.Dispose();

    private static string HttpsUrl(EdgeProcess edge) => new Uri(edge.HttpsUri, "/healthz").ToString();

    [TestMethod]
    public async Task TheSelfSignedCertificateServesCurl()
    {
        string config = _dir.Write("self.json", EdgeServer.ConfigWithUsers(""));
        string data = _dir.PathOf("self-data");
        await using var edge = await EdgeProcess.Start("--config", config, "--data-dir", data);
        await Eventually.True(() => File.Exists(Path.Combine(data, "tls", "edge.crt")), "the certificate is made at start");
        var curl = await Tools.Run("curl", ["-sS", "--fail", "--cacert", Path.Combine(data, "tls", "edge.crt"), HttpsUrl(edge)]);
        Assert.AreEqual(0, curl.ExitCode, curl.Error);
        Assert.AreEqual("ok", curl.Output.Trim());
    }

    [TestMethod]
    public async Task ACaIssuedCertificateWithAiaUrlsAndNoChainStillHandsShake()
    {
        using var rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var rootRequest = new CertificateRequest("CN=Edge Test Root", rootKey, HashAlgorithmName.SHA256);
        rootRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        rootRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        using var root = rootRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));

        using var leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var leafRequest = new CertificateRequest("CN=127.0.0.1", leafKey, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        leafRequest.CertificateExtensions.Add(names.Build());
        leafRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        // URLs a framework with downloads would fetch (for OCSP stapling or a missing issuer): nothing listens there.
        leafRequest.CertificateExtensions.Add(new X509AuthorityInformationAccessExtension(["http://127.0.0.1:9/ocsp"],
            ["http://127.0.0.1:9/root.crt"]));
        using var leaf = leafRequest.Create(root, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddMonths(6), [1, 2, 3, 4]);

        string https = $"\"Https\":{{\"CertificateFile\":\"{_dir.Write("leaf.crt", leaf.ExportCertificatePem())}\"," +
            $"\"KeyFile\":\"{_dir.Write("leaf.key", leafKey.ExportPkcs8PrivateKeyPem())}\"}},";
        string config = _dir.Write("ca.json", EdgeServer.ConfigWithUsers(https));
        await using var edge = await EdgeProcess.Start("--config", config, "--data-dir", _dir.PathOf("ca-data"));
        for (int i = 0; i < 2; i++)
        {
            var curl = await Tools.Run("curl",
                ["-sS", "--fail", "--cacert", _dir.Write("root.crt", root.ExportCertificatePem()), HttpsUrl(edge)]);
            Assert.AreEqual(0, curl.ExitCode, curl.Error + string.Join("\n", edge.Stdout.Concat(edge.Stderr)));
        }
        Assert.IsFalse(edge.Stderr.Any(l => l.Contains("Unhandled")), string.Join("\n", edge.Stderr));
    }
}
