using Edge.Auth;
using Edge.Monitoring;
using Edge.Runtime;
using Microsoft.AspNetCore.Http;

namespace Edge.Web;

/// <summary>
/// <c>GET /debug/runtime</c> (authenticated): the <see cref="RuntimeInspector"/>'s report as JSON, for
/// scripts and the soak test.
/// </summary>
public sealed class RuntimeEndpoint(EventLoop loop, Authenticator auth, RuntimeInspector inspector)
{
    public Task Serve(HttpContext context) => loop.InvokeAsync(() => ServeOnLoop(context));

    private async Task ServeOnLoop(HttpContext context)
    {
        if (await AuthGate.Check(auth, context, UserRole.Admin) == null) return;
        context.Response.Headers.CacheControl = "no-store";
        await JsonReply.Write(context, inspector.WriteTo);
    }
}
