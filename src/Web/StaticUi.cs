using System.Reflection;
using Edge.State;
using Microsoft.AspNetCore.Http;

namespace Edge.Web;

/// <summary>
/// The web UI's files, embedded in the binary under <c>ui/</c> by <c>src/Web/UiAssets.targets</c>: each as
/// is, <c>.gz</c> and <c>.br</c>. The client gets the smallest coding it accepts, with an ETag per coding.
/// Names with a content hash (<c>app.0123456789.js</c>) are cached for a year; <c>index.html</c>, which
/// names them, is revalidated on every load.
/// </summary>
public sealed class StaticUi
{
    private const string ResourcePrefix = "ui/";
    private const string Immutable = "public, max-age=31536000, immutable";
    private readonly Assembly _assembly = typeof(StaticUi).Assembly;
    private readonly Dictionary<string, UiFile?> _files = new(StringComparer.Ordinal);
    private readonly object _gate = new();

    /// <summary>Serves the file named by the path (<c>/</c> is <c>index.html</c>); 404 when there is none.</summary>
    public Task Serve(HttpContext context)
    {
        string path = context.Request.Path.Value ?? "/";
        string name = path == "/" ? "index.html" : path.TrimStart('/');
        var file = Find(name);
        var response = context.Response;
        if (file == null)
        {
            response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }
        string accept = context.Request.Headers.AcceptEncoding.ToString();
        var body = AcceptEncoding.Allows(accept, "br") ? file.Brotli : AcceptEncoding.Allows(accept, "gzip") ? file.Gzip : file.Identity;
        response.Headers.ETag = body.ETag;
        response.Headers.Vary = "Accept-Encoding";
        response.Headers.CacheControl = file.Hashed ? Immutable : "no-cache";
        response.Headers.XContentTypeOptions = "nosniff";
        if (name == "index.html")
        {
            // The page loads only from Edge: a script slipped in elsewhere could not phone out.
            // media-src blob: the live player's MediaSource.
            response.Headers.ContentSecurityPolicy = "default-src 'self'; img-src 'self' blob: data:; media-src 'self' blob:; " +
                "style-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
            response.Headers["Referrer-Policy"] = "no-referrer";
        }
        if (context.Request.Headers.IfNoneMatch.Contains(body.ETag))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return Task.CompletedTask;
        }
        response.ContentType = file.ContentType;
        if (body.Coding != null) response.Headers.ContentEncoding = body.Coding;
        response.ContentLength = body.Content.Length;
        return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : response.Body.WriteAsync(body.Content).AsTask();
    }

    // Static files are not application state: a lock here keeps them off the loop entirely.
    private UiFile? Find(string name)
    {
        lock (_gate)
        {
            if (_files.TryGetValue(name, out var cached)) return cached;
            UiFile? file = null;
            // Only names the build embedded can match, so "../" and friends find nothing.
            if (!name.EndsWith(".gz", StringComparison.Ordinal) && !name.EndsWith(".br", StringComparison.Ordinal)
                && Read(name) is { } identity && Read(name + ".gz") is { } gzip && Read(name + ".br") is { } brotli)
            {
                // CRC-32C, not SHA: nothing on a page load should load OpenSSL. Each coding is its own representation.
                string tag = Crc32C.Compute(identity).ToString("x8");
                file = new UiFile(new UiBody(identity, $"\"{tag}\"", null), new UiBody(gzip, $"\"{tag}-gzip\"", "gzip"),
                    new UiBody(brotli, $"\"{tag}-br\"", "br"), ContentTypeOf(name), name != "index.html");
            }
            if (_files.Count < 256) _files[name] = file;
            return file;
        }
    }

    private byte[]? Read(string name)
    {
        using var stream = _assembly.GetManifestResourceStream(ResourcePrefix + name);
        if (stream == null) return null;
        var content = new byte[stream.Length];
        stream.ReadExactly(content);
        return content;
    }

    private static string ContentTypeOf(string name) => Path.GetExtension(name) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".svg" => "image/svg+xml",
        ".png" => "image/png",
        ".ico" => "image/x-icon",
        _ => "application/octet-stream",
    };

    private sealed record UiBody(byte[] Content, string ETag, string? Coding);

    private sealed record UiFile(UiBody Identity, UiBody Gzip, UiBody Brotli, string ContentType, bool Hashed);
}
