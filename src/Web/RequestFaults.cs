using Edge.Runtime;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace Edge.Web;

/// <summary>
/// The first middleware. A malformed request (bad framing, a body that breaks off) is answered with
/// its 4xx and one log line per address and cause (<see cref="PeerFaultLog"/>); an exception no
/// handler caught is a 500 with its stack trace, at most a few a minute, so no peer can flood the log.
/// </summary>
public sealed partial class RequestFaults(PeerFaultLog faults, ILogger<RequestFaults> logger, TimeProvider time)
{
    private readonly RateLimitedLog _errors = new(logger, time, perMinute: 5);

    public async Task Apply(HttpContext context, RequestDelegate next)
    {
        if (context.Features.Get<IHttpRequestBodyDetectionFeature>() is { CanHaveBody: true })
            context.Request.Body = new ClientBodyStream(context.Request.Body);
        try
        {
            await next(context);
        }
        catch (BadHttpRequestException e)
        {
            if (context.RequestAborted.IsCancellationRequested) return;
            faults.Warn(context.Connection.RemoteIpAddress, "malformed HTTP request", e.Message);
            await Answer(context, e.StatusCode, $"Malformed request: {e.Message}");
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; nobody is left to answer.
        }
        catch (Exception e)
        {
            if (_errors.Admit()) Log.Unhandled(logger, e, context.Request.Method, context.Request.Path.Value);
            await Answer(context, StatusCodes.Status500InternalServerError, "Internal error; the server log has the details.");
        }
    }

    private static Task Answer(HttpContext context, int status, string message)
    {
        if (context.Response.HasStarted)
        {
            // Part of an answer is out: only ending the connection tells the client it is incomplete.
            context.Abort();
            return Task.CompletedTask;
        }
        context.Response.Clear();
        // The rest of a broken body cannot be read: the connection ends after the answer.
        context.Response.Headers.Connection = "close";
        return PlainText.Write(context, status, message);
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled error in {Method} {Path}")]
        public static partial void Unhandled(ILogger logger, Exception exception, string method, string? path);
    }
}
