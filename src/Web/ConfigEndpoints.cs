using Edge.Auth;
using Edge.Runtime;
using Edge.State;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Edge.Web;

/// <summary>
/// Configuration export and import. <c>GET /config</c> returns the configuration file (<c>{}</c> when
/// there is none). <c>PUT /config</c> checks the new JSON exactly as a start would (with the same
/// environment and command line), keeps the current file as <c>edge.json.previous</c>, replaces it
/// atomically, and applies it like SIGHUP (users, auth, WebSocket limits, log levels; the rest at the
/// next start). An invalid configuration gets 400 with the reason and changes nothing; a file system that
/// refuses the write (read-only, full) gets 503 with the cause (logged with the path) and leaves the
/// configuration as it was (<c>edge.json.previous</c> may already hold the current file).
/// </summary>
/// <param name="problemWith">Why a configuration would not start Edge, or null (blocking: called on the pool).</param>
public sealed partial class ConfigEndpoints(EventLoop loop, WorkerPool pool, Authenticator auth, string filePath,
    Func<byte[], string?> problemWith, Func<Task> apply, ILogger logger)
{
    public const int MaxBytes = 1 << 20;

    public string FilePath { get; } = filePath;

    public string PreviousPath => FilePath + ".previous";

    public Task Get(HttpContext context) => loop.InvokeAsync(async () =>
    {
        if (await AuthGate.Check(auth, context, UserRole.Admin) == null) return;
        string path = FilePath;
        byte[] content = await pool.Submit(_ => File.Exists(path) ? File.ReadAllBytes(path) : "{}"u8.ToArray(), PoolFullMode.Wait);
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.Body.WriteAsync(content);
    });

    public Task Put(HttpContext context) => loop.InvokeAsync(async () =>
    {
        if (!AuthGate.IsSameOrigin(context))
        {
            await PlainText.Write(context, StatusCodes.Status403Forbidden, "Cross-site requests may not change the configuration.");
            return;
        }
        if (await AuthGate.Check(auth, context, UserRole.Admin) == null) return;
        var body = await RequestBody.Read(context.Request, MaxBytes);
        if (body == null)
        {
            await PlainText.Write(context, StatusCodes.Status413PayloadTooLarge, $"A configuration is at most {MaxBytes} bytes.");
            return;
        }
        string? problem = await pool.Submit(_ => problemWith(body), PoolFullMode.Wait);
        if (problem != null)
        {
            await PlainText.Write(context, StatusCodes.Status400BadRequest, $"Configuration not saved: {problem}");
            return;
        }
        try { await pool.Submit(_ => Replace(body), PoolFullMode.Wait); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A read-only or full file system: the running configuration and the file stay as they were.
            Log.SaveFailed(logger, FilePath, e.Message);
            await PlainText.Write(context, StatusCodes.Status503ServiceUnavailable,
                $"Configuration not saved: {ErrorText.WithoutPaths(e)}");
            return;
        }
        await apply();
        await PlainText.Write(context, StatusCodes.Status200OK, $"Saved to {FilePath} (the previous one is {PreviousPath}) and applied; " +
            $"sections other than Auth, WebSocket and Logging apply at the next start.");
    });

    // Keeps the previous file, then replaces it (temp, fsync, rename). Blocking: runs on the pool.
    private void Replace(byte[] body)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(FilePath)!);
        if (File.Exists(FilePath)) AtomicFile.Write(PreviousPath, File.ReadAllBytes(FilePath));
        AtomicFile.Write(FilePath, body);
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Error, Message = "Cannot save the configuration to {Path}: {Error}")]
        public static partial void SaveFailed(ILogger logger, string path, string error);
    }
}
