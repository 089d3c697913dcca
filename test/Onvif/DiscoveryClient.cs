using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Edge.Tests.Support;

namespace Edge.Tests.Onvif;

/// <summary>A WS-Discovery client on 127.0.0.1 that sends unicast Probes and Resolves as ONVIF clients write them.</summary>
internal sealed partial class DiscoveryClient : IDisposable
{
    public static readonly XNamespace Soap = "http://www.w3.org/2003/05/soap-envelope";
    public static readonly XNamespace Addressing = "http://schemas.xmlsoap.org/ws/2004/08/addressing";
    public static readonly XNamespace Discovery = "http://schemas.xmlsoap.org/ws/2005/04/discovery";

    private readonly UdpClient _udp = new(new IPEndPoint(IPAddress.Loopback, 0));
    private readonly IPEndPoint _server;

    public DiscoveryClient(int port) => _server = new IPEndPoint(IPAddress.Loopback, port);

    /// <summary>The port from the service's start-up log line.</summary>
    public static async Task<int> Port(EdgeServer server)
    {
        int port = 0;
        await Eventually.True(() => server.Log.Lines.Select(l => PortLine().Match(l)).FirstOrDefault(m => m.Success) is { } m
                && (port = int.Parse(m.Groups[1].Value)) > 0,
            "WS-Discovery listens");
        return port;
    }

    public static string Envelope(string messageId, string action, string body) => $"""
        <?xml version="1.0" encoding="UTF-8"?>
        <s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery">
        <s:Header><a:MessageID>{messageId}</a:MessageID><a:To>urn:schemas-xmlsoap-org:ws:2005:04:discovery</a:To>
        <a:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/{action}</a:Action></s:Header>
        <s:Body>{body}</s:Body></s:Envelope>
        """;

    /// <summary>A Probe; <paramref name="types"/> and <paramref name="scopes"/> are inner XML (with their own declarations).</summary>
    public static string Probe(string messageId,
        string types = "<d:Types xmlns:dn=\"http://www.onvif.org/ver10/network/wsdl\">dn:NetworkVideoTransmitter</d:Types>",
        string scopes = "")
        => Envelope(messageId, "Probe", $"<d:Probe>{types}{scopes}</d:Probe>");

    public static string Resolve(string messageId, string address)
        => Envelope(messageId, "Resolve",
            $"<d:Resolve><a:EndpointReference><a:Address>{address}</a:Address></a:EndpointReference></d:Resolve>");

    public static string NewMessageId() => "urn:uuid:" + Guid.NewGuid().ToString("D");

    public Task Send(string xml) => Send(Encoding.UTF8.GetBytes(xml));

    public async Task Send(byte[] datagram) => await _udp.SendAsync(datagram, _server);

    /// <summary>The next reply, or null when none comes within <paramref name="timeoutMs"/>.</summary>
    public async Task<XDocument?> Receive(int timeoutMs = 3000)
    {
        using var timeout = new CancellationTokenSource(timeoutMs);
        try
        {
            var result = await _udp.ReceiveAsync(timeout.Token);
            return XDocument.Parse(Encoding.UTF8.GetString(result.Buffer));
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    public static string? RelatesTo(XDocument reply) => reply.Descendants(Addressing + "RelatesTo").FirstOrDefault()?.Value;

    public static string? Action(XDocument reply) => reply.Descendants(Addressing + "Action").FirstOrDefault()?.Value;

    public static string Text(XDocument reply, string discoveryElement) => reply.Descendants(Discovery + discoveryElement).First().Value;

    public static string EndpointAddress(XDocument reply) => reply.Descendants(Addressing + "Address").First().Value;

    public void Dispose() => _udp.Dispose();

    [GeneratedRegex(@"WS-Discovery on UDP port (\d+)")]
    private static partial Regex PortLine();
}
