using System.Globalization;
using Edge.Auth;
using Edge.Camera;
using Edge.Runtime;
using Edge.Video;
using Microsoft.AspNetCore.Http;

namespace Edge.Web;

/// <summary>
/// HLS for players that want it (VLC, iOS, smart TVs): <c>/hls/index.m3u8</c>, <c>/hls/init.mp4</c> and
/// <c>/hls/N.m4s</c>, under the API's authentication. The first request starts the segmenter and waits
/// for its first segment. Loop only.
/// </summary>
public sealed class HlsEndpoints(EventLoop loop, CameraService camera, H264Service h264, HlsSegments hls, Authenticator auth)
{
    public Task Playlist(HttpContext context) => loop.InvokeAsync(() => ServePlaylist(context));

    public Task Init(HttpContext context) => loop.InvokeAsync(() => ServeInit(context));

    public Task Segment(HttpContext context) => loop.InvokeAsync(() => ServeSegment(context));

    private async Task ServePlaylist(HttpContext context)
    {
        if (!await Admit(context)) return;
        int timeout = camera.Settings.SnapshotTimeoutSeconds;
        if (!await hls.WaitForSegment(TimeSpan.FromSeconds(timeout) + HlsSegments.SegmentLength, context.RequestAborted))
        {
            context.Response.Headers.RetryAfter = "1";
            await PlainText.Write(context, StatusCodes.Status503ServiceUnavailable,
                $"No H.264 segment from the camera within {timeout} s.");
            return;
        }
        var response = context.Response;
        response.ContentType = "application/vnd.apple.mpegurl";
        response.Headers.CacheControl = "no-cache";
        await response.WriteAsync(hls.Playlist(), context.RequestAborted);
    }

    private async Task ServeInit(HttpContext context)
    {
        if (!await Admit(context)) return;
        if (!int.TryParse(context.Request.Query["v"], NumberStyles.None, CultureInfo.InvariantCulture, out int version)
            || hls.Track(version) is not { } track)
        {
            await PlainText.Write(context, StatusCodes.Status404NotFound, "No such init segment (the playlist names the current ones).");
            return;
        }
        await Write(context, track.InitSegment.Length, [track.InitSegment]);
    }

    private async Task ServeSegment(HttpContext context)
    {
        if (!await Admit(context)) return;
        string name = context.Request.RouteValues["segment"] as string ?? "";
        if (!name.EndsWith(".m4s", StringComparison.Ordinal)
            || !long.TryParse(name.AsSpan(0, name.Length - 4), NumberStyles.None, CultureInfo.InvariantCulture, out long number)
            || hls.Segment(number) is not { } segment)
        {
            await PlainText.Write(context, StatusCodes.Status404NotFound, "No such segment (the playlist names the ones kept).");
            return;
        }
        // This response's own references: the segment may leave the playlist while it is written.
        var fragments = new Frame[segment.Frames.Count];
        for (int i = 0; i < fragments.Length; i++) fragments[i] = segment.Frames[i].AddRef();
        try
        {
            var parts = new ReadOnlyMemory<byte>[fragments.Length];
            for (int i = 0; i < parts.Length; i++) parts[i] = fragments[i].Memory;
            await Write(context, segment.Bytes, parts);
        }
        finally
        {
            foreach (var fragment in fragments) fragment.Release();
        }
    }

    // Authentication and H.264 at all; every request keeps the segmenter running.
    private async Task<bool> Admit(HttpContext context)
    {
        if (await AuthGate.Check(auth, context, UserRole.Viewer) == null) return false;
        if (h264.Unavailable is { } reason)
        {
            await PlainText.Write(context, StatusCodes.Status503ServiceUnavailable, $"No H.264 for HLS: {reason}.");
            return false;
        }
        hls.Touch();
        return true;
    }

    private static async Task Write(HttpContext context, long length, ReadOnlyMemory<byte>[] parts)
    {
        var response = context.Response;
        response.ContentType = "video/mp4";
        response.ContentLength = length;
        response.Headers.CacheControl = "max-age=60";
        try
        {
            foreach (var part in parts) await response.Body.WriteAsync(part, context.RequestAborted);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested) { }
    }
}
