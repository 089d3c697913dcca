using Edge.Auth;
using System.Globalization;
using Edge.Camera;
using Edge.Runtime;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.Extensions.Logging;

namespace Edge.Web;

/// <summary>
/// <c>GET /stream.mjpg</c> and <c>GET /snapshot.jpg</c> (plus mjpg-streamer's <c>/?action=stream</c>
/// and <c>/?action=snapshot</c>), under the API's authentication. Each handler runs on the loop.
/// </summary>
public sealed partial class CameraEndpoints(EventLoop loop, CameraService camera, Authenticator auth, ConnectionTable connections,
    ILogger logger)
{
    // The kernel would otherwise grow a stalled viewer's send buffer to megabytes of old frames
    // (memory on a small board, and seconds of delay for a slow viewer). Linux doubles this value.
    internal const int ViewerSendBufferBytes = 256 * 1024;

    /// <summary>MJPEG streams being served now (RTSP sessions watch the same frames but are not counted here). Loop only.</summary>
    public int OpenStreams { get; private set; }

    public Task Stream(HttpContext context) => loop.InvokeAsync(() => ServeStream(context));

    public Task Snapshot(HttpContext context) => loop.InvokeAsync(() => ServeSnapshot(context));

    private async Task ServeStream(HttpContext context)
    {
        if (await Admit(context) is not { } settings) return;
        var interval = TimeSpan.Zero;
        if (context.Request.Query["fps"] is { Count: > 0 } fpsText)
        {
            if (!double.TryParse(fpsText[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double fps)
                || !(fps is >= 0.1 and <= 1000))
            {
                await PlainText.Write(context, StatusCodes.Status400BadRequest, "fps must be a number from 0.1 to 1000.");
                return;
            }
            interval = TimeSpan.FromSeconds(1 / fps);
        }
        if (camera.Jpeg.ViewerCount >= settings.MaxViewers)
        {
            context.Response.Headers.RetryAfter = "5";
            await PlainText.Write(context, StatusCodes.Status503ServiceUnavailable, $"Too many viewers (at most {settings.MaxViewers}).");
            return;
        }

        var response = context.Response;
        response.ContentType = MjpegPart.ContentType;
        response.Headers.CacheControl = "no-store, no-cache, must-revalidate";
        response.Headers.Pragma = "no-cache";
        response.Headers.XContentTypeOptions = "nosniff";
        if (context.Features.Get<IConnectionSocketFeature>()?.Socket is { } socket) socket.SendBufferSize = ViewerSendBufferBytes;
        // ViewerTimeoutSeconds decides when a viewer has stalled, not Kestrel's default data rate.
        if (context.Features.Get<IHttpMinResponseDataRateFeature>() is { } rate) rate.MinDataRate = null;
        var closed = context.RequestAborted;
        using var viewer = camera.Jpeg.AddViewer(interval);
        long sent = 0;
        using var exchange = connections.Find(context.Connection.Id)?.Serve("mjpeg", () => viewer.HasPending ? 1 : 0,
            () => $"{sent} frames sent, {viewer.Skipped} skipped");
        // A fresh picture at once; an old one (the camera was idle or is failing) would mislead.
        if (camera.Jpeg.Latest is { } latest && loop.Time.GetElapsedTime(latest.Timestamp) <= settings.FreshFor()) viewer.Offer(latest);
        using var deadline = new CancellationTokenSource(Timeout.InfiniteTimeSpan, loop.Time);
        using var writeCancel = CancellationTokenSource.CreateLinkedTokenSource(closed, deadline.Token);
        var timeout = TimeSpan.FromSeconds(settings.ViewerTimeoutSeconds);
        OpenStreams++;
        try
        {
            await response.StartAsync(closed);
            while (!closed.IsCancellationRequested)
            {
                var frame = await viewer.Next(closed);
                if (frame == null) break;
                try
                {
                    MjpegPart.Write(response.BodyWriter, frame, CapturedAt(frame));
                }
                finally
                {
                    frame.Release();
                }
                deadline.CancelAfter(timeout);
                var flushed = await response.BodyWriter.FlushAsync(writeCancel.Token);
                deadline.CancelAfter(Timeout.InfiniteTimeSpan);
                if (flushed.IsCanceled) throw new OperationCanceledException(writeCancel.Token);
                if (flushed.IsCompleted) break;
                viewer.Delivered();
                sent++;
            }
        }
        // Kestrel aborts the connection when a flush is canceled, so RequestAborted may fire too: the
        // deadline is what says the viewer stalled.
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            viewer.Stalled();
            Log.ViewerDropped(logger, context.Connection.RemoteIpAddress, settings.ViewerTimeoutSeconds);
            context.Abort();
        }
        catch (OperationCanceledException) when (closed.IsCancellationRequested)
        {
            // The viewer went away.
        }
        finally
        {
            OpenStreams--;
        }
    }

    private async Task ServeSnapshot(HttpContext context)
    {
        if (await Admit(context) is not { } settings) return;
        var frame = await camera.Snapshot(context.RequestAborted);
        if (frame == null)
        {
            if (context.RequestAborted.IsCancellationRequested) return;
            context.Response.Headers.RetryAfter = "1";
            string why = camera.LastError is { } error ? $" (last error: {error})"
                : camera.Description == null ? " (the camera is not running)" : "";
            await PlainText.Write(context, StatusCodes.Status503ServiceUnavailable,
                $"No frame from the camera within {settings.SnapshotTimeoutSeconds} s{why}.");
            return;
        }
        try
        {
            var response = context.Response;
            response.ContentType = "image/jpeg";
            response.ContentLength = frame.Length;
            response.Headers.CacheControl = "no-store";
            response.Headers.XContentTypeOptions = "nosniff";
            response.Headers["X-Timestamp"] = (CapturedAt(frame).ToUnixTimeMilliseconds() / 1000.0).ToString("0.000",
                CultureInfo.InvariantCulture);
            if (!HttpMethods.IsHead(context.Request.Method)) await response.Body.WriteAsync(frame.Memory, context.RequestAborted);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested) { }
        finally
        {
            frame.Release();
        }
    }

    // Authentication, then whether there is a JPEG stream at all; null when a refusal was written.
    private async Task<CameraSettings?> Admit(HttpContext context)
    {
        if (await AuthGate.Check(auth, context, UserRole.Viewer) == null) return null;
        var settings = camera.Settings;
        if (camera.JpegUnavailable is not { } reason) return settings;
        await PlainText.Write(context, StatusCodes.Status503ServiceUnavailable, reason);
        return null;
    }

    private DateTimeOffset CapturedAt(Frame frame) => loop.Time.GetUtcNow() - loop.Time.GetElapsedTime(frame.Timestamp);

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Dropped MJPEG viewer {Address}: it took no data for {Timeout} s")]
        public static partial void ViewerDropped(ILogger logger, System.Net.IPAddress? address, int timeout);
    }
}
