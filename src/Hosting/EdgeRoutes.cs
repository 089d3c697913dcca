using Edge.Onvif;
using Edge.Web;
using Edge.Web.Tls;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Edge.Hosting;

/// <summary>
/// Every HTTP route of Edge, in one table, and the middleware before them. The endpoints are built by
/// the composition root; <paramref name="Onvif"/> is null when ONVIF is off.
/// </summary>
public sealed record EdgeRoutes(
    RequestFaults Faults, HttpsPolicy Https, ApiEndpoints Api, HealthEndpoints Health, MetricsEndpoint Metrics,
    RuntimeEndpoint Runtime, OnvifEndpoints? Onvif, FileEndpoints Files, ConfigEndpoints Config, CameraEndpoints Camera,
    LiveEndpoints Live, HlsEndpoints Hls, WhepEndpoints? Whep, Go2RtcSignalling? Go2Rtc, RecordingEndpoints Recordings, StaticUi Ui)
{
    public void MapTo(WebApplication app)
    {
        // First: client faults anywhere below are answered and logged once.
        app.Use(Faults.Apply);
        app.Use(Https.Apply);
        app.Map("/api", Api.Api);
        app.Map("/login", Api.Login);
        app.Map("/logout", Api.Logout);
        app.MapGet("/healthz", Health.Health);
        app.MapGet("/readyz", Health.Ready);
        app.MapGet("/metrics", Metrics.Serve);
        app.MapGet("/debug/runtime", Runtime.Serve);
        if (Onvif != null)
        {
            app.MapPost(DeviceService.Path, Onvif.Serve);
            app.MapPost(MediaService.Path, Onvif.Serve);
            app.MapPost(EventsService.Path, Onvif.Serve);
            app.MapPost(PullPoints.Path, Onvif.Serve);
            app.MapPost(ImagingService.Path, Onvif.Serve);
        }
        app.MapGet("/files", Files.List);
        app.MapPost("/files", Files.Post);
        app.MapMethods("/files/{name}", ["GET", "HEAD"], Files.Get);
        app.MapPut("/files/{name}", Files.Put);
        app.MapDelete("/files/{name}", Files.Delete);
        app.MapGet("/config", Config.Get);
        app.MapPut("/config", Config.Put);
        app.MapMethods("/stream.mjpg", ["GET"], Camera.Stream);
        app.MapMethods("/snapshot.jpg", ["GET", "HEAD"], Camera.Snapshot);
        app.MapGet("/live.mp4", Live.Mp4);
        app.MapGet("/live", Live.WebSocket);
        app.MapGet("/hls/index.m3u8", Hls.Playlist);
        app.MapGet("/hls/init.mp4", Hls.Init);
        app.MapGet("/hls/{segment}", Hls.Segment);
        if (Whep != null)
        {
            app.MapPost(WhepEndpoints.Path, Whep.Post);
            app.MapDelete(WhepEndpoints.Path + "/{id}", Whep.Delete);
            app.MapMethods(WhepEndpoints.Path + "/{id}", ["PATCH"], Whep.Patch);
        }
        if (Go2Rtc != null) app.MapGet(Go2RtcSignalling.Path, Go2Rtc.Serve);
        app.MapMethods("/recordings/{name}", ["GET", "HEAD"], Recordings.Get);
        app.MapDelete("/recordings/{name}", Recordings.Delete);
        // mjpg-streamer's addresses, which many NVRs and scripts still use.
        app.MapMethods("/", ["GET", "HEAD"], MjpgStreamer);
        app.MapMethods("/{**path}", ["GET", "HEAD"], Ui.Serve);
    }

    private Task MjpgStreamer(HttpContext context) => context.Request.Query["action"].ToString() switch
    {
        "stream" => Camera.Stream(context),
        "snapshot" => Camera.Snapshot(context),
        _ => Ui.Serve(context),
    };
}
