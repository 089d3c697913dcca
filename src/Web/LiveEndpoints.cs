using System.Globalization;
using System.Text;
using Edge.Auth;
using Edge.Camera;
using Edge.Runtime;
using Edge.Video;
using Edge.Video.Mp4;
using Edge.Web.WebSockets;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.Extensions.Logging;

namespace Edge.Web;

/// <summary>
/// Live H.264 as fragmented MP4. <c>GET /live.mp4</c>: one response, the init segment and then a
/// fragment per frame. <c>GET /live</c> upgraded to a WebSocket, for the page's MediaSource player: a
/// text message naming codec, size and the wall-clock time of media time zero, then the init segment
/// and the fragments as binary messages. A viewer starts on a key frame the encoder makes at once, one
/// that falls behind skips to the next key frame, one that takes nothing for ViewerTimeoutSeconds is
/// dropped. A new track (the size or profile changed) ends the stream: players start again. Loop only.
/// </summary>
public sealed partial class LiveEndpoints(EventLoop loop, CameraService camera, H264Service h264, LiveMp4 live, Authenticator auth,
    ConnectionTable connections, ILogger logger)
{
    // The player has nothing to say but control frames.
    private const int MaxClientMessageBytes = 125;

    public Task Mp4(HttpContext context) => loop.InvokeAsync(() => ServeMp4(context));

    public Task WebSocket(HttpContext context) => loop.InvokeAsync(() => ServeWebSocket(context));

    private async Task ServeMp4(HttpContext context)
    {
        if (await AuthGate.Check(auth, context, UserRole.Viewer) == null) return;
        if (await Join(context) is not { } joined) return;
        var response = context.Response;
        response.ContentType = "video/mp4";
        response.Headers.CacheControl = "no-store";
        response.Headers.XContentTypeOptions = "nosniff";
        await Send(context, joined, "live.mp4", context.RequestAborted, async (bytes, cancel) =>
        {
            var flushed = await response.BodyWriter.WriteAsync(bytes, cancel);
            if (flushed.IsCanceled) throw new OperationCanceledException(cancel);
            return !flushed.IsCompleted;
        });
    }

    private async Task ServeWebSocket(HttpContext context)
    {
        if (await AuthGate.Check(auth, context, UserRole.Viewer) == null) return;
        if (!WebSocketHandshake.IsWebSocketRequest(context))
        {
            await PlainText.Write(context, StatusCodes.Status400BadRequest, "/live is a WebSocket; plain HTTP players use /live.mp4.");
            return;
        }
        if (WebSocketHandshake.Validate(context) is { } refusal)
        {
            await PlainText.Write(context, refusal.Status, refusal.Message);
            return;
        }
        // A page of another site must not watch with this browser's cookie.
        if (!AuthGate.IsSameOrigin(context))
        {
            await PlainText.Write(context, StatusCodes.Status403Forbidden, "Cross-origin request refused.");
            return;
        }
        if (await Join(context) is not { } joined) return;
        Stream stream;
        try
        {
            stream = await WebSocketHandshake.Accept(context);
        }
        catch
        {
            joined.Release();
            throw;
        }
        var socket = new LiveSocket(stream);
        using var reader = new WebSocketReader(stream, MaxClientMessageBytes);
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        var listening = Listen(reader, socket, ended);
        try
        {
            double epoch = (live.Epoch - DateTimeOffset.UnixEpoch).TotalMilliseconds;
            var track = joined.Track;
            string hello = string.Create(CultureInfo.InvariantCulture,
                $$"""{"codec":"{{track.Codec}}","width":{{track.Width}},"height":{{track.Height}},"epoch":{{epoch:0.###}}}""");
            await socket.Write(WebSocketFrames.Text, Encoding.UTF8.GetBytes(hello), ended.Token);
            await Send(context, joined, "live", ended.Token, (bytes, cancel) => socket.Write(WebSocketFrames.Binary, bytes, cancel));
            if (!context.RequestAborted.IsCancellationRequested)
            {
                // The client asked to close, the track changed or Edge is stopping: say so (a short write, or none if it cannot).
                using var closing = new CancellationTokenSource(TimeSpan.FromSeconds(2), loop.Time);
                await socket.Close(socket.CloseCode ?? (joined.Ended ? WebSocketFrames.GoingAway : WebSocketFrames.NormalClosure),
                    joined.Ended ? "stream ended" : "", closing.Token);
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
            context.Abort();
        }
        finally
        {
            await ended.CancelAsync();
            await listening;
        }
    }

    // Control frames from the player: pings are answered, a close frame or a broken stream ends the session.
    private static async Task Listen(WebSocketReader reader, LiveSocket socket, CancellationTokenSource ended)
    {
        try
        {
            while (true)
            {
                var message = await reader.Read(ended.Token);
                switch (message.Kind)
                {
                    case WebSocketMessageKind.Ping:
                        socket.Pong = WebSocketFrames.Build(WebSocketFrames.Pong, message.Payload.Span);
                        continue;
                    case WebSocketMessageKind.Close:
                        socket.CloseCode = WebSocketFrames.NormalClosure;
                        return;
                    case WebSocketMessageKind.ProtocolError:
                        socket.CloseCode = message.CloseCode;
                        return;
                    case WebSocketMessageKind.EndOfStream:
                        return;
                    default:
                        continue;
                }
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
            // The connection ended.
        }
        finally
        {
            await ended.CancelAsync();
        }
    }

    // H.264 at all, room for one more viewer, then the viewer and its first key frame's fragment; null when refused.
    private async Task<LiveViewer?> Join(HttpContext context)
    {
        if (h264.Unavailable is { } reason)
        {
            await PlainText.Write(context, StatusCodes.Status503ServiceUnavailable, $"No live H.264: {reason}.");
            return null;
        }
        var settings = camera.Settings;
        if (live.Fragments.ViewerCount >= settings.MaxViewers)
        {
            context.Response.Headers.RetryAfter = "5";
            await PlainText.Write(context, StatusCodes.Status503ServiceUnavailable, $"Too many viewers (at most {settings.MaxViewers}).");
            return null;
        }
        var viewer = live.Fragments.AddViewer(TimeSpan.Zero);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(settings.SnapshotTimeoutSeconds), loop.Time);
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, timeout.Token);
        Frame? first = null;
        try
        {
            first = await viewer.NextDecodable(wait.Token);
        }
        catch (OperationCanceledException) when (wait.IsCancellationRequested) { }
        if (first != null && live.Track is { } track) return new LiveViewer(viewer, first, track, live.TrackVersion);
        first?.Release();
        viewer.Dispose();
        if (context.RequestAborted.IsCancellationRequested) return null;
        context.Response.Headers.RetryAfter = "1";
        string why = camera.LastError is { } error ? $" (last error: {error})" : "";
        await PlainText.Write(context, StatusCodes.Status503ServiceUnavailable,
            $"No H.264 from the camera within {settings.SnapshotTimeoutSeconds} s{why}.");
        return null;
    }

    // The init segment, the first fragment and every decodable one after it, until the viewer leaves, stalls or the track changes.
    private async Task Send(HttpContext context, LiveViewer joined, string kind, CancellationToken closed,
        Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask<bool>> write)
    {
        var viewer = joined.Viewer;
        long sent = 0;
        using var exchange = connections.Find(context.Connection.Id)?.Serve(kind, () => viewer.HasPending ? 1 : 0,
            () => $"{sent} fragments sent, {viewer.Skipped} skipped");
        if (context.Features.Get<IConnectionSocketFeature>()?.Socket is { } socket)
            socket.SendBufferSize = CameraEndpoints.ViewerSendBufferBytes;
        // ViewerTimeoutSeconds decides when a viewer has stalled, not Kestrel's default data rate.
        if (context.Features.Get<IHttpMinResponseDataRateFeature>() is { } rate) rate.MinDataRate = null;
        int timeoutSeconds = camera.Settings.ViewerTimeoutSeconds;
        var timeout = TimeSpan.FromSeconds(timeoutSeconds);
        using var deadline = new CancellationTokenSource(Timeout.InfiniteTimeSpan, loop.Time);
        using var writeCancel = CancellationTokenSource.CreateLinkedTokenSource(closed, deadline.Token);
        try
        {
            deadline.CancelAfter(timeout);
            if (!await write(joined.Track.InitSegment, writeCancel.Token)) return;
            var frame = joined.TakeFirst();
            while (frame != null)
            {
                try
                {
                    if (frame.IsKeyFrame && live.TrackVersion != joined.Version) return;
                    deadline.CancelAfter(timeout);
                    if (!await write(frame.Memory, writeCancel.Token)) return;
                    deadline.CancelAfter(Timeout.InfiniteTimeSpan);
                }
                finally
                {
                    frame.Release();
                }
                viewer.Delivered();
                sent++;
                frame = await viewer.NextDecodable(closed);
            }
            joined.Ended = true;
        }
        // Kestrel aborts the connection when a write is canceled, so RequestAborted may fire too: the deadline says the viewer stalled.
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            viewer.Stalled();
            Log.ViewerDropped(logger, kind, context.Connection.RemoteIpAddress, timeoutSeconds);
            context.Abort();
        }
        catch (OperationCanceledException) when (closed.IsCancellationRequested)
        {
            // The viewer went away.
        }
        finally
        {
            joined.Release();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Dropped {Kind} viewer {Address}: it took no data for {Timeout} s")]
        public static partial void ViewerDropped(ILogger logger, string kind, System.Net.IPAddress? address, int timeout);
    }
}
