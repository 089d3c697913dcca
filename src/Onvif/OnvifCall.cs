using Edge.Auth;
using Edge.Onvif.Xml;

namespace Edge.Onvif;

/// <summary>One ONVIF request as a service operation sees it.</summary>
/// <param name="Host">The host (and port) the client addressed, as in its Host header: addresses in answers use it, so they
/// work through NAT and port forwarding.</param>
/// <param name="HostName"><paramref name="Host"/> without the port (IPv6 in brackets), for URIs on other ports.</param>
/// <param name="LocalPort">The HTTP port the request came in on.</param>
public sealed record OnvifCall(SoapRequest Request, string Host, string HostName, int LocalPort)
{
    /// <summary>Runs once the response has been sent (SystemReboot stops the host then).</summary>
    public Action? AfterResponse { get; set; }

    /// <summary>The pull point a request to a subscription's address names (its <c>id</c>), or null.</summary>
    public string? Subscription { get; init; }
}

/// <summary>Writes the response element of one operation into the Body; throws <see cref="SoapFault"/> to refuse.</summary>
public delegate void SoapOperation(OnvifCall call, XmlDocumentWriter writer);

/// <param name="Role">The least role that may call it (ignored when <paramref name="Anonymous"/>): every operation names
/// it, so a new one is not open to viewers by default.</param>
/// <param name="Anonymous">Allowed without credentials (what a client needs before it can authenticate).</param>
/// <param name="Wait">Awaited on the loop before <paramref name="Run"/> writes the answer (PullMessages waits for events).</param>
public sealed record OnvifOperation(UserRole Role, SoapOperation Run, bool Anonymous = false,
    Func<OnvifCall, CancellationToken, Task>? Wait = null);

/// <summary>An ONVIF service: the operations of one WSDL namespace.</summary>
public interface IOnvifService
{
    string Namespace { get; }

    IReadOnlyDictionary<string, OnvifOperation> Operations { get; }
}
