using Edge.Monitoring;
using Edge.Auth;
using Edge.Runtime;
using Microsoft.AspNetCore.Http;

namespace Edge.Web;

/// <summary>
/// <c>GET /metrics</c> for Prometheus. Asks for the API's authentication (HTTP Basic; Prometheus's
/// <c>basic_auth</c>) unless <see cref="MonitoringSettings.MetricsRequireAuth"/> is false.
/// </summary>
public sealed class MetricsEndpoint(EventLoop loop, Authenticator auth, EdgeMetrics metrics, MonitoringSettings settings)
{
    public Task Serve(HttpContext context) => loop.InvokeAsync(() => ServeOnLoop(context));

    private async Task ServeOnLoop(HttpContext context)
    {
        if (settings.MetricsRequireAuth && await AuthGate.Check(auth, context, UserRole.Viewer) == null) return;
        var response = context.Response;
        response.ContentType = PrometheusWriter.ContentType;
        response.Headers.CacheControl = "no-store";
        metrics.WriteTo(new PrometheusWriter(response.BodyWriter));
        await response.BodyWriter.FlushAsync(context.RequestAborted);
    }
}
