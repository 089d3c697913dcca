using System.Text;
using Edge.Auth;
using Edge.Runtime;
using Edge.Streaming.WebRtc;
using Microsoft.AspNetCore.Http;

namespace Edge.Web;

/// <summary>
/// WHEP (draft-ietf-wish-whep): <c>POST /whep</c> with an SDP offer answers <c>201 Created</c>, the SDP
/// answer and the session's <c>Location</c>; <c>DELETE</c> on it ends the session; <c>PATCH</c> (trickled
/// candidates) is acknowledged and ignored: an ICE-lite server learns the browser's address from its
/// checks. Viewers and above. Loop only.
/// </summary>
public sealed class WhepEndpoints(EventLoop loop, WebRtcServer webRtc, Authenticator auth)
{
    public const string Path = "/whep";

    private static readonly UTF8Encoding StrictUtf8 = new(false, true);

    public Task Post(HttpContext context) => loop.InvokeAsync(() => Offer(context));

    public Task Delete(HttpContext context) => loop.InvokeAsync(() => End(context));

    public Task Patch(HttpContext context) => loop.InvokeAsync(() => Trickle(context));

    private async Task Offer(HttpContext context)
    {
        if (await AuthGate.Check(auth, context, UserRole.Viewer) == null) return;
        if (!string.Equals(context.Request.ContentType?.Split(';')[0].Trim(), "application/sdp", StringComparison.OrdinalIgnoreCase))
        {
            await PlainText.Write(context, StatusCodes.Status415UnsupportedMediaType, "A WHEP offer is application/sdp.");
            return;
        }
        if (await RequestBody.Read(context.Request, SdpOffer.MaxLength) is not { } body)
        {
            await PlainText.Write(context, StatusCodes.Status413PayloadTooLarge, $"An offer is at most {SdpOffer.MaxLength} bytes.");
            return;
        }
        string sdp;
        try { sdp = StrictUtf8.GetString(body); }
        catch (DecoderFallbackException)
        {
            await PlainText.Write(context, StatusCodes.Status400BadRequest, "The offer is not UTF-8.");
            return;
        }
        try
        {
            var (id, answer) = await webRtc.Offer(sdp, context.Connection.LocalIpAddress);
            var response = context.Response;
            response.StatusCode = StatusCodes.Status201Created;
            response.ContentType = "application/sdp";
            response.Headers.Location = $"{Path}/{id}";
            response.Headers.CacheControl = "no-store";
            await response.WriteAsync(answer, context.RequestAborted);
        }
        catch (WhepRefusal refusal)
        {
            if (refusal.Status == StatusCodes.Status503ServiceUnavailable) context.Response.Headers.RetryAfter = "5";
            await PlainText.Write(context, refusal.Status, refusal.Message);
        }
    }

    private async Task End(HttpContext context)
    {
        if (await AuthGate.Check(auth, context, UserRole.Viewer) == null) return;
        if (webRtc.Delete(context.Request.RouteValues["id"] as string ?? "")) context.Response.StatusCode = StatusCodes.Status200OK;
        else await PlainText.Write(context, StatusCodes.Status404NotFound, "No such WebRTC session.");
    }

    private async Task Trickle(HttpContext context)
    {
        if (await AuthGate.Check(auth, context, UserRole.Viewer) == null) return;
        if (webRtc.Has(context.Request.RouteValues["id"] as string ?? "")) context.Response.StatusCode = StatusCodes.Status204NoContent;
        else await PlainText.Write(context, StatusCodes.Status404NotFound, "No such WebRTC session.");
    }
}
