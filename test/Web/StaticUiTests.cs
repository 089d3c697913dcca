using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using Edge.Tests.Support;
using Edge.Web;

namespace Edge.Tests.Web;

/// <summary>The embedded web UI as HTTP clients see it: codings, ETags, caching, names that are not there.</summary>
[TestClass]
public sealed partial class StaticUiTests
{
    [GeneratedRegex("""(?:href|src)="([\w.-]+\.(?:js|css))""")]
    private static partial Regex AssetReference();

    /// <summary>The page and every file it names, fetched as a browser does (br, gzip); the bytes on the wire.</summary>
    internal static async Task<(string Html, List<string> Assets, long Bytes)> FirstLoad(HttpClient http)
    {
        long bytes = 0;
        async Task<byte[]> Fetch(string path)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.AcceptEncoding.ParseAdd("gzip, deflate, br, zstd");
            using var response = await http.SendAsync(request);
            Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, path);
            CollectionAssert.AreEqual(new[] { "br" }, response.Content.Headers.ContentEncoding.ToArray(), path);
            var body = await response.Content.ReadAsByteArrayAsync();
            bytes += body.Length;
            return body;
        }
        string html = Encoding.UTF8.GetString(Brotli(await Fetch("/")));
        var assets = AssetReference().Matches(html).Select(m => m.Groups[1].Value).Distinct().ToList();
        foreach (var asset in assets) await Fetch("/" + asset);
        return (html, assets, bytes);
    }

    private static byte[] Brotli(byte[] data)
    {
        using var output = new MemoryStream();
        using (var brotli = new BrotliStream(new MemoryStream(data), CompressionMode.Decompress)) brotli.CopyTo(output);
        return output.ToArray();
    }

    private static async Task<HttpResponseMessage> Get(HttpClient http, string path, string? acceptEncoding = null,
        EntityTagHeaderValue? ifNoneMatch = null, HttpMethod? method = null)
    {
        var request = new HttpRequestMessage(method ?? HttpMethod.Get, path);
        if (acceptEncoding != null) request.Headers.TryAddWithoutValidation("Accept-Encoding", acceptEncoding);
        if (ifNoneMatch != null) request.Headers.IfNoneMatch.Add(ifNoneMatch);
        return await http.SendAsync(request);
    }

    [TestMethod]
    public async Task TheFirstLoadIsUnder100KilobytesWithEveryModuleNamedByItsHashAndPreloaded()
    {
        await using var server = await EdgeServer.Start();
        using var http = new HttpClient { BaseAddress = server.BaseUri };
        var (html, assets, bytes) = await FirstLoad(http);
        Assert.IsTrue(bytes <= 100 * 1024, $"{bytes} bytes");
        Assert.IsTrue(assets.Count >= 8, string.Join(", ", assets));
        foreach (var asset in assets) StringAssert.Matches(asset, new Regex(@"^[a-z]+\.[0-9a-f]{10}\.(js|css)$"));
        StringAssert.Contains(html, "<link rel=\"modulepreload\" href=\"api.");
        StringAssert.Contains(html, "<script type=\"module\" src=\"app.");
    }

    [TestMethod]
    public async Task EachCodingIsServedAsTheClientAcceptsWithItsOwnETagAndThePageRevalidates()
    {
        await using var server = await EdgeServer.Start();
        using var http = new HttpClient { BaseAddress = server.BaseUri };

        using var plain = await Get(http, "/");
        Assert.AreEqual(0, plain.Content.Headers.ContentEncoding.Count, "no Accept-Encoding: plain bytes");
        string html = await plain.Content.ReadAsStringAsync();
        StringAssert.StartsWith(html, "<!doctype html>");
        Assert.AreEqual("no-cache", plain.Headers.CacheControl!.ToString());
        StringAssert.Contains(plain.Headers.GetValues("Content-Security-Policy").Single(), "default-src 'self'");
        CollectionAssert.Contains(plain.Headers.Vary.ToArray(), "Accept-Encoding");

        using var gzip = await Get(http, "/", "gzip, br;q=0");
        Assert.AreEqual("gzip", gzip.Content.Headers.ContentEncoding.Single());
        using (var unzip = new GZipStream(await gzip.Content.ReadAsStreamAsync(), CompressionMode.Decompress))
        using (var reader = new StreamReader(unzip))
            Assert.AreEqual(html, await reader.ReadToEndAsync());

        using var brotli = await Get(http, "/", "br");
        Assert.AreEqual("br", brotli.Content.Headers.ContentEncoding.Single());
        Assert.AreEqual(html, Encoding.UTF8.GetString(Brotli(await brotli.Content.ReadAsByteArrayAsync())));
        Assert.AreEqual("br", (await Get(http, "/", "*")).Content.Headers.ContentEncoding.Single());
        Assert.AreEqual(0, (await Get(http, "/", "identity, *;q=0")).Content.Headers.ContentEncoding.Count);

        var etags = new[] { plain.Headers.ETag!, gzip.Headers.ETag!, brotli.Headers.ETag! };
        Assert.AreEqual(3, etags.Select(e => e.Tag).Distinct().Count(), "a coding is a different representation");
        Assert.AreEqual(HttpStatusCode.NotModified, (await Get(http, "/", "br", brotli.Headers.ETag)).StatusCode);
        Assert.AreEqual(HttpStatusCode.OK, (await Get(http, "/", "gzip", brotli.Headers.ETag)).StatusCode,
            "the br ETag does not match the gzip body");

        using var head = await Get(http, "/", "br", method: HttpMethod.Head);
        Assert.AreEqual(HttpStatusCode.OK, head.StatusCode);
        Assert.AreEqual(brotli.Content.Headers.ContentLength, head.Content.Headers.ContentLength);
    }

    [TestMethod]
    public async Task HashedFilesAreCachedForAYearAndNamesThatWereNotEmbeddedAre404()
    {
        await using var server = await EdgeServer.Start();
        using var http = new HttpClient { BaseAddress = server.BaseUri };
        var (_, assets, _) = await FirstLoad(http);
        string script = assets.First(a => a.StartsWith("app.", StringComparison.Ordinal));
        using var app = await Get(http, "/" + script, "gzip");
        Assert.AreEqual("public, max-age=31536000, immutable", app.Headers.CacheControl!.ToString());
        Assert.AreEqual("text/javascript", app.Content.Headers.ContentType!.MediaType);
        Assert.AreEqual("nosniff", app.Headers.GetValues("X-Content-Type-Options").Single());

        foreach (var path in new[] { "/app.js", "/" + script + ".br", "/index.html.gz", "/../Edge.csproj", "/%2e%2e/%2e%2e/etc/passwd",
            "/ui/index.html" })
            Assert.AreEqual(HttpStatusCode.NotFound, (await Get(http, path, "br")).StatusCode, path);
    }

    [TestMethod]
    [DataRow("gzip, deflate, br", "br", true)]
    [DataRow("gzip, deflate, br", "gzip", true)]
    [DataRow("gzip;q=0.5, br;q=0", "br", false)]
    [DataRow("GZIP", "gzip", true)]
    [DataRow("*", "br", true)]
    [DataRow("*;q=0, gzip", "gzip", true)]
    [DataRow("*;q=0, gzip", "br", false)]
    [DataRow("br; q=0.000", "br", false)]
    [DataRow("br;q=garbage", "br", false)]
    [DataRow("identity", "gzip", false)]
    [DataRow("", "gzip", false)]
    [DataRow(" , ;,br", "br", true)]
    public void AcceptEncodingAllowsACodingListedOrCoveredByAStarWithAWeightAboveZero(string header, string coding, bool allowed)
        => Assert.AreEqual(allowed, AcceptEncoding.Allows(header, coding));
}
