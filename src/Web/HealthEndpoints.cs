using Edge.Runtime;
using Microsoft.AspNetCore.Http;

namespace Edge.Web;

/// <summary><c>/healthz</c> (the process and its event loop answer) and <c>/readyz</c> (every supervised service runs).</summary>
public sealed class HealthEndpoints(EventLoop loop, Supervisor supervisor)
{
    private static readonly TimeSpan LoopTimeout = TimeSpan.FromSeconds(2);

    public async Task Health(HttpContext context)
    {
        // A loop that cannot run a no-op within the timeout is hung; a watchdog should restart us.
        bool alive = true;
        try { await loop.InvokeAsync(() => Task.CompletedTask).WaitAsync(LoopTimeout); }
        catch (TimeoutException) { alive = false; }
        context.Response.StatusCode = alive ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync(alive ? "ok\n" : "event loop not responding\n");
    }

    public Task Ready(HttpContext context) => loop.InvokeAsync(async () =>
    {
        var notRunning = supervisor.GetStatus().Where(s => s.Status != ServiceStatus.Running).ToList();
        context.Response.StatusCode = notRunning.Count == 0 ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
        await JsonReply.Write(context, new Readiness(notRunning.Count == 0, notRunning), WebJsonContext.Default.Readiness);
    });
}

/// <summary>The body of <c>/readyz</c>: ready, or the services that are not running.</summary>
public sealed record Readiness(bool Ready, IReadOnlyList<ServiceInfo> NotRunning);
