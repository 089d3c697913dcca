using Edge.Auth;
using Edge.Files;
using Edge.State;
using Edge.Runtime;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace Edge.Web;

/// <summary>
/// <c>/files</c>: <c>PUT /files/{name}</c> and <c>POST /files</c> (multipart/form-data) store uploads,
/// <c>GET /files/{name}</c> serves one with Range and ETag, <c>GET /files</c> lists them as JSON,
/// <c>DELETE /files/{name}</c> removes one. All need a login; changes from a browser must come from
/// this site (Origin). Each request hops onto the loop; file work runs as <see cref="FileStore"/> says.
/// </summary>
public sealed class FileEndpoints(EventLoop loop, Authenticator auth, FileStore store, StorageHealth storage)
{
    /// <summary>How uploads are named in <see cref="StorageHealth"/>.</summary>
    public const string StorageWriter = "uploaded files";

    public const int MaxParts = 16;

    public Task List(HttpContext context) => loop.InvokeAsync(async () =>
    {
        if (await AuthGate.Check(auth, context, UserRole.Operator) == null) return;
        var files = await store.List();
        await JsonReply.Write(context, files, FilesJsonContext.Default.ListStoredFile);
    });

    public Task Get(HttpContext context) => loop.InvokeAsync(async () =>
    {
        if (await AuthGate.Check(auth, context, UserRole.Operator) == null || await Name(context) is not { } name) return;
        if (await store.Find(name) is not { } file)
        {
            await PlainText.Write(context, StatusCodes.Status404NotFound, $"No file named '{name}'.");
            return;
        }
        // An uploaded page must not run as this site (it would act with the viewer's login).
        context.Response.Headers.XContentTypeOptions = "nosniff";
        context.Response.Headers.ContentSecurityPolicy = "sandbox";
        // Conditional requests (If-None-Match, If-Range) and Range are handled by Kestrel's file result.
        await TypedResults.PhysicalFile(store.PathOf(name), ContentType(name), lastModified: file.Modified,
            entityTag: EntityTagHeaderValue.Parse(file.ETag), enableRangeProcessing: true).ExecuteAsync(context);
    });

    public Task Put(HttpContext context) => loop.InvokeAsync(async () =>
    {
        if (await AdmitChange(context) == false || await Name(context) is not { } name) return;
        var (created, file) = await Save(context, name, context.Request.Body, context.Request.ContentLength);
        if (file == null) return;
        context.Response.StatusCode = created ? StatusCodes.Status201Created : StatusCodes.Status200OK;
        context.Response.Headers.ETag = file.ETag;
        await JsonReply.Write(context, file, FilesJsonContext.Default.StoredFile);
    });

    public Task Post(HttpContext context) => loop.InvokeAsync(async () =>
    {
        if (await AdmitChange(context) == false) return;
        if (!MediaTypeHeaderValue.TryParse(context.Request.ContentType, out var type)
            || !type.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
            || HeaderUtilities.RemoveQuotes(type.Boundary).Value is not { Length: > 0 and <= 70 } boundary)
        {
            await PlainText.Write(context, StatusCodes.Status415UnsupportedMediaType,
                "POST /files takes multipart/form-data with a boundary; PUT /files/{name} takes the bytes.");
            return;
        }
        var reader = new MultipartReader(boundary, context.Request.Body);
        var stored = new List<StoredFile>();
        int parts = 0;
        try
        {
            while (await NextSection(reader, context.RequestAborted) is { } section)
            {
                if (++parts > MaxParts)
                {
                    await PlainText.Write(context, StatusCodes.Status413PayloadTooLarge, $"At most {MaxParts} parts per upload.");
                    return;
                }
                // Form fields without a file name are not files: skip them.
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)
                    || (HeaderUtilities.RemoveQuotes(disposition.FileNameStar).Value
                        ?? HeaderUtilities.RemoveQuotes(disposition.FileName).Value) is not { } name) continue;
                if (StoredFileName.Problem(name) is { } problem)
                {
                    await PlainText.Write(context, StatusCodes.Status400BadRequest, $"'{name}': {problem}");
                    return;
                }
                var (_, file) = await Save(context, name, section.Body, null);
                if (file == null) return;
                stored.Add(file);
            }
        }
        catch (InvalidDataException e)
        {
            await PlainText.Write(context, StatusCodes.Status400BadRequest, $"Malformed multipart body: {e.Message}");
            return;
        }
        if (stored.Count == 0)
        {
            await PlainText.Write(context, StatusCodes.Status400BadRequest, "The upload holds no file part.");
            return;
        }
        context.Response.StatusCode = StatusCodes.Status201Created;
        await JsonReply.Write(context, stored, FilesJsonContext.Default.ListStoredFile);
    });

    public Task Delete(HttpContext context) => loop.InvokeAsync(async () =>
    {
        if (await AdmitChange(context) == false || await Name(context) is not { } name) return;
        bool deleted;
        try { deleted = await store.Delete(name); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            storage.Failed(StorageWriter, e);
            await PlainText.Write(context, StatusCodes.Status503ServiceUnavailable, $"Cannot delete the file: {ErrorText.WithoutPaths(e)}");
            return;
        }
        if (deleted)
        {
            storage.Succeeded(StorageWriter);
            context.Response.StatusCode = StatusCodes.Status204NoContent;
        }
        else await PlainText.Write(context, StatusCodes.Status404NotFound, $"No file named '{name}'.");
    });

    // Login, and for a browser, a request from this very site: a page elsewhere must not upload or delete.
    private async Task<bool> AdmitChange(HttpContext context)
    {
        if (!AuthGate.IsSameOrigin(context))
        {
            await PlainText.Write(context, StatusCodes.Status403Forbidden, "Cross-site requests may not change files.");
            return false;
        }
        if (await AuthGate.Check(auth, context, UserRole.Operator) == null) return false;
        // Uploads are limited by Files:MaxFileBytes per file, not by Kestrel's 30 MB request limit.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit) limit.MaxRequestBodySize = null;
        return true;
    }

    // The reader drains the previous part first: a body that ends without its closing boundary ends there.
    private static async Task<MultipartSection?> NextSection(MultipartReader reader, CancellationToken cancellationToken)
    {
        try
        {
            return await reader.ReadNextSectionAsync(cancellationToken);
        }
        catch (IOException e)
        {
            throw new InvalidDataException($"The upload ended early: {e.Message}", e);
        }
    }

    private static async Task<string?> Name(HttpContext context)
    {
        string? name = context.Request.RouteValues["name"] as string;
        if (StoredFileName.Problem(name) is not { } problem) return name;
        await PlainText.Write(context, StatusCodes.Status400BadRequest, problem);
        return null;
    }

    // A stored file (and whether it is new), or null when the refusal was written.
    private async Task<(bool Created, StoredFile? File)> Save(HttpContext context, string name, Stream body, long? length)
    {
        SaveOutcome outcome;
        StoredFile? file;
        try
        {
            (outcome, file) = await store.Save(name, body, length, context.RequestAborted);
        }
        catch (InvalidDataException e)
        {
            await PlainText.Write(context, StatusCodes.Status400BadRequest, e.Message);
            return (false, null);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            return (false, null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A read-only or failing file system: nothing was stored, and the cause is logged once.
            storage.Failed(StorageWriter, e);
            await PlainText.Write(context, StatusCodes.Status503ServiceUnavailable, $"Cannot store the file: {ErrorText.WithoutPaths(e)}");
            return (false, null);
        }
        switch (outcome)
        {
            case SaveOutcome.TooLarge:
                await PlainText.Write(context, StatusCodes.Status413PayloadTooLarge,
                    $"Files are limited to {store.Settings.MaxFileBytes} bytes.");
                return (false, null);
            case SaveOutcome.NoSpace:
                storage.Failed(StorageWriter,
                    new IOException($"not enough free space (Edge keeps {store.Settings.ReserveBytes} bytes free)"));
                await PlainText.Write(context, StatusCodes.Status507InsufficientStorage,
                    $"Not enough free space (Edge keeps {store.Settings.ReserveBytes} bytes free).");
                return (false, null);
            case SaveOutcome.WontFit:
                // Smaller files still fit: the data directory is fine.
                await PlainText.Write(context, StatusCodes.Status507InsufficientStorage,
                    $"Not enough free space for this file (Edge keeps {store.Settings.ReserveBytes} bytes free).");
                return (false, null);
            default:
                storage.Succeeded(StorageWriter);
                return (outcome == SaveOutcome.Created, file);
        }
    }

    private static string ContentType(string name) => Path.GetExtension(name).ToLowerInvariant() switch
    {
        ".jpg" or ".jpeg" => "image/jpeg",
        ".png" => "image/png",
        ".json" => "application/json",
        ".txt" or ".log" => "text/plain; charset=utf-8",
        ".mp4" => "video/mp4",
        // Not text/html or image/svg+xml: those could run scripts.
        _ => "application/octet-stream",
    };
}
