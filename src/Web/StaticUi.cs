using System.Reflection;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;

namespace Edge.Web;

/// <summary>
/// The web UI's files, embedded in the binary under <c>ui/</c>. Each is read and hashed on its first
/// request (not at start-up) and then served from memory with a strong ETag.
/// </summary>
public sealed class StaticUi
{
    private const string ResourcePrefix = "ui/";
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
        response.Headers.ETag = file.ETag;
        // Revalidate every time: file names carry no version, and a 304 costs a few bytes.
        response.Headers.CacheControl = "no-cache";
        response.Headers.XContentTypeOptions = "nosniff";
        if (context.Request.Headers.IfNoneMatch.Contains(file.ETag))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return Task.CompletedTask;
        }
        response.ContentType = file.ContentType;
        response.ContentLength = file.Content.Length;
        return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : response.Body.WriteAsync(file.Content).AsTask();
    }

    // Static files are not application state: a lock here keeps them off the loop entirely.
    private UiFile? Find(string name)
    {
        lock (_gate)
        {
            if (_files.TryGetValue(name, out var cached)) return cached;
            UiFile? file = null;
            // Only names the build embedded can match, so "../" and friends find nothing.
            using (var stream = _assembly.GetManifestResourceStream(ResourcePrefix + name))
            {
                if (stream != null)
                {
                    var content = new byte[stream.Length];
                    stream.ReadExactly(content);
                    string etag = "\"" + Convert.ToHexString(SHA256.HashData(content), 0, 8).ToLowerInvariant() + "\"";
                    file = new UiFile(content, etag, ContentTypeOf(name));
                }
            }
            if (_files.Count < 256) _files[name] = file;
            return file;
        }
    }

    private static string ContentTypeOf(string name) => Path.GetExtension(name) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".svg" => "image/svg+xml",
        ".png" => "image/png",
        ".ico" => "image/x-icon",
        ".json" => "application/json",
        _ => "application/octet-stream",
    };

    private sealed record UiFile(byte[] Content, string ETag, string ContentType);
}
