using Edge.Auth;
using Edge.Recording;
using Edge.Runtime;
using Microsoft.AspNetCore.Http;

namespace Edge.Web;

/// <summary>
/// <c>GET /recordings/{name}</c> (viewer; Range, so a player can seek) and <c>DELETE /recordings/{name}</c>
/// (operator, same-origin from a browser). Each request hops onto the loop; file work runs on the pool.
/// </summary>
public sealed class RecordingEndpoints(EventLoop loop, WorkerPool pool, Authenticator auth, RecordingStore store)
{
    public Task Get(HttpContext context) => loop.InvokeAsync(async () =>
    {
        if (await AuthGate.Check(auth, context, UserRole.Viewer) == null) return;
        string name = context.Request.RouteValues["name"] as string ?? "";
        string path = store.PathOf(name);
        if (!RecordingStore.TryParse(name, out _) || !await pool.Submit(_ => File.Exists(path), PoolFullMode.Wait))
        {
            await PlainText.Write(context, StatusCodes.Status404NotFound, $"No recording named '{name}'.");
            return;
        }
        context.Response.Headers.XContentTypeOptions = "nosniff";
        // The file being written grows: no validator, so a player never mixes two lengths of it.
        string type = name.EndsWith(".avi", StringComparison.Ordinal) ? "video/x-msvideo" : "video/mp4";
        await TypedResults.PhysicalFile(path, type, enableRangeProcessing: true).ExecuteAsync(context);
    });

    public Task Delete(HttpContext context) => loop.InvokeAsync(async () =>
    {
        if (await AuthGate.Check(auth, context, UserRole.Operator) == null) return;
        if (!AuthGate.IsSameOrigin(context))
        {
            await PlainText.Write(context, StatusCodes.Status403Forbidden, "Cross-origin request refused.");
            return;
        }
        string name = context.Request.RouteValues["name"] as string ?? "";
        if (name == store.Writing)
        {
            await PlainText.Write(context, StatusCodes.Status409Conflict, $"'{name}' is being recorded; stop first.");
            return;
        }
        if (!await pool.Submit(_ => store.Delete(name), PoolFullMode.Wait))
        {
            await PlainText.Write(context, StatusCodes.Status404NotFound, $"No recording named '{name}'.");
            return;
        }
        context.Response.StatusCode = StatusCodes.Status204NoContent;
    });
}
