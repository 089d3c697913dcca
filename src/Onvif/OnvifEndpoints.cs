using System.Globalization;
using System.Net;
using Edge.Auth;
using Edge.Runtime;
using Edge.Web;
using Microsoft.AspNetCore.Http;

namespace Edge.Onvif;

/// <summary>
/// <c>POST /onvif/device_service</c> and <c>POST /onvif/media_service</c>: SOAP 1.2 requests, routed
/// by the operation's namespace (so a client that sends everything to one address works too). Each
/// request hops onto the event loop once. Credentials: a WS-Security UsernameToken (PasswordDigest
/// checked against the user's <c>DevicePassword</c>, PasswordText against the password hash), or HTTP
/// Basic; wrong passwords count toward the API's lock-out, and each operation has a least role. A refusal is
/// a SOAP fault <c>ter:NotAuthorized</c> with HTTP 400 and no <c>WWW-Authenticate</c>, which would
/// make ONVIF clients switch to HTTP Digest.
/// </summary>
public sealed class OnvifEndpoints(EventLoop loop, Authenticator auth, PeerFaultLog faults, PeerBudget budget,
    IReadOnlyList<IOnvifService> services)
{
    /// <summary>Largest request body.</summary>
    public const int MaxBodyBytes = 65536;
    private readonly NonceCache _nonces = new();

    public Task Serve(HttpContext context) => loop.InvokeAsync(() => ServeSoap(context));

    private async Task ServeSoap(HttpContext context)
    {
        // Anyone may send SOAP (the login is inside it): each request's work is bounded by the body
        // limit and linear parsers, and each address's by its budget, checked before any of it.
        var remote = context.Connection.RemoteIpAddress;
        if (!budget.TryTake(remote, out var wait))
        {
            faults.Warn(remote, "ONVIF requests beyond RequestsPerSecondPerAddress", "answered 429");
            context.Response.Headers.RetryAfter = Math.Max(1, Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            await Write(context, StatusCodes.Status429TooManyRequests,
                SoapWriter.Fault(new SoapFault("s:Receiver", "Too many requests from this address; try again later.")));
            return;
        }
        var body = await RequestBody.Read(context.Request, MaxBodyBytes);
        byte[] reply;
        int status = StatusCodes.Status200OK;
        OnvifCall? call = null;
        try
        {
            if (body == null)
                throw new SoapFault("s:Sender", $"Request bodies are limited to {MaxBodyBytes} bytes.")
                {
                    Status = StatusCodes.Status413PayloadTooLarge,
                };
            var request = SoapRequest.Parse(body);
            var service = services.FirstOrDefault(s => s.Namespace == request.Namespace);
            if (service == null || !service.Operations.TryGetValue(request.Operation, out var operation))
                throw SoapFault.ActionNotSupported(request.Operation);
            if (!operation.Anonymous && auth.Enabled)
            {
                string user = await Authorize(context, request);
                if (auth.RoleOf(user) < operation.Role)
                    throw new SoapFault("s:Sender", UserRoles.Refusal(request.Operation, operation.Role), "ter:NotAuthorized")
                    {
                        Status = StatusCodes.Status403Forbidden,
                    };
            }
            var host = RequestHost(context);
            var current = new OnvifCall(request, host.Value ?? "", host.Host, context.Connection.LocalPort)
            {
                Subscription = context.Request.Query["id"].FirstOrDefault(),
            };
            if (operation.Wait is { } before)
            {
                await before(current, context.RequestAborted);
                if (context.RequestAborted.IsCancellationRequested) return;
            }
            reply = SoapWriter.Envelope(w => operation.Run(current, w));
            call = current;
        }
        catch (SoapFault fault)
        {
            status = fault.Status;
            reply = SoapWriter.Fault(fault);
        }
        if (call?.AfterResponse is { } after)
        {
            context.Response.OnCompleted(() =>
            {
                after();
                return Task.CompletedTask;
            });
        }
        await Write(context, status, reply);
    }

    private static async Task Write(HttpContext context, int status, byte[] reply)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = SoapWriter.ContentType;
        response.ContentLength = reply.Length;
        await response.Body.WriteAsync(reply);
    }

    // The user the request is from; throws SoapFault when it may not go on.
    private async Task<string> Authorize(HttpContext context, SoapRequest request)
    {
        var remote = context.Connection.RemoteIpAddress;
        AuthResult result;
        if (request.Token is { } token)
        {
            var wait = auth.RetryAfter(remote);
            if (wait > TimeSpan.Zero) throw Throttled(context, wait);
            if (auth.DevicePassword(token.Username) is { } password)
            {
                if (token.Verify(password, loop.Time.GetUtcNow(), _nonces)) return token.Username;
                auth.RecordFailure(remote, token.Username);
                throw SoapFault.NotAuthorized();
            }
            if (!token.IsText)
            {
                // PasswordDigest needs the password itself. A user without a DevicePassword did not
                // type a wrong one: say what is missing, and do not count it toward the lock-out.
                if (!auth.IsUser(token.Username))
                {
                    auth.RecordFailure(remote, token.Username);
                    throw SoapFault.NotAuthorized();
                }
                faults.Warn(remote, "ONVIF PasswordDigest for a user without a DevicePassword",
                    $"user '{token.Username}' (edge passwd NAME prints a user entry with one)");
                throw new SoapFault("s:Sender", $"User '{token.Username}' has no DevicePassword, which WS-Security PasswordDigest needs; " +
                    $"use PasswordText over HTTPS, HTTP Basic, or give the user one.", "ter:NotAuthorized");
            }
            // PasswordText is checked against the password hash like HTTP Basic.
            result = await auth.AuthenticatePassword(remote, token.Username, token.Password);
        }
        else
        {
            string? authorization = context.Request.Headers.Authorization.Count > 0 ? context.Request.Headers.Authorization[0] : null;
            if (authorization == null || !authorization.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
                throw SoapFault.NotAuthorized();
            result = await auth.Authenticate(remote, authorization, sessionCookie: null);
        }
        switch (result.Outcome)
        {
            case AuthOutcome.Allowed:
                return result.User ?? "";
            case AuthOutcome.Throttled:
                throw Throttled(context, result.RetryAfter);
            case AuthOutcome.Busy:
                context.Response.Headers.RetryAfter = "1";
                throw new SoapFault("s:Receiver", "Server busy") { Status = StatusCodes.Status503ServiceUnavailable };
            default:
                throw SoapFault.NotAuthorized();
        }
    }

    private static SoapFault Throttled(HttpContext context, TimeSpan wait)
    {
        context.Response.Headers.RetryAfter = Math.Ceiling(wait.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        return new SoapFault("s:Sender", "Too many failed logins from this address; try again later.", "ter:NotAuthorized")
        {
            Status = StatusCodes.Status429TooManyRequests,
        };
    }

    // The address the client used; the socket's own when it sent no Host header (HTTP/1.0).
    private static HostString RequestHost(HttpContext context)
    {
        if (context.Request.Host.HasValue) return context.Request.Host;
        var local = PeerAddress.Normalize(context.Connection.LocalIpAddress ?? IPAddress.Loopback);
        return new HostString(local.ToString(), context.Connection.LocalPort);
    }
}
