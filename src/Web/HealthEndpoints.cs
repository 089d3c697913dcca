using Edge.State;
using Edge.Runtime;
using Microsoft.AspNetCore.Http;

namespace Edge.Web;

/// <summary>
/// <c>/healthz</c> (the process and its event loop answer) and <c>/readyz</c> (every supervised service
/// runs and the data directory takes writes).
/// </summary>
public sealed class HealthEndpoints(EventLoop loop, Supervisor supervisor, StorageHealth storage)
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

    /// <summary>
    /// 200 or 503 with {ready, notRunning: [service…], storage: [{writer, error, since}]}. Written by hand:
    /// a generated serializer for these shapes cost more binary than this method.
    /// </summary>
    public Task Ready(HttpContext context) => loop.InvokeAsync(async () =>
    {
        var services = supervisor.GetStatus();
        var problems = storage.Problems;
        bool ready = problems.Count == 0;
        foreach (var service in services) ready &= service.Status == ServiceStatus.Running;
        context.Response.StatusCode = ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
        await JsonReply.Write(context, w =>
        {
            w.WriteStartObject();
            w.WriteBoolean("ready", ready);
            w.WriteStartArray("notRunning");
            foreach (var service in services)
                if (service.Status != ServiceStatus.Running) service.WriteTo(w);
            w.WriteEndArray();
            w.WriteStartArray("storage");
            foreach (var problem in problems)
            {
                w.WriteStartObject();
                w.WriteString("writer", problem.Writer);
                w.WriteString("error", problem.Error);
                w.WriteString("since", problem.Since);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        });
    });
}
