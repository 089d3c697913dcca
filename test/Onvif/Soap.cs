using System.Net;
using System.Security.Cryptography;
using System.Text;
using Edge.Tests.Support;

namespace Edge.Tests.Onvif;

/// <summary>Raw SOAP 1.2 requests to Edge's ONVIF services, with WS-Security headers made as ONVIF clients make them.</summary>
internal static class Soap
{
    public const string Envelope12 = "http://www.w3.org/2003/05/soap-envelope";
    public const string Device = "http://www.onvif.org/ver10/device/wsdl";
    public const string Media = "http://www.onvif.org/ver10/media/wsdl";

    /// <summary>A small, slow test pattern: top-level configuration members for <see cref="EdgeServer.ConfigWithUsers"/>.</summary>
    public const string TestPatternCamera = "\"Camera\":{\"Source\":\"testpattern\",\"Width\":320,\"Height\":240,\"Fps\":10},";

    public static string Envelope(string body, string header = "", string envelopeNamespace = Envelope12)
        => $"""<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="{envelopeNamespace}">""" +
            $"""<s:Header>{header}</s:Header><s:Body>{body}</s:Body></s:Envelope>""";

    /// <summary>A UsernameToken with a PasswordDigest over a fresh (or the given) nonce and <paramref name="created"/>.</summary>
    public static string DigestToken(string user, string password, DateTimeOffset created, byte[]? nonce = null)
    {
        nonce ??= RandomNumberGenerator.GetBytes(16);
        string createdText = created.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture);
        string digest = Convert.ToBase64String(SHA1.HashData([.. nonce, .. Encoding.UTF8.GetBytes(createdText),
            .. Encoding.UTF8.GetBytes(password)]));
        return $"""
            <Security s:mustUnderstand="1" xmlns="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"><UsernameToken>
            <Username>{user}</Username>
            <Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest">{digest}</Password>
            <Nonce EncodingType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary">{Convert.ToBase64String(nonce)}</Nonce>
            <Created xmlns="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd">{createdText}</Created>
            </UsernameToken></Security>
            """;
    }

    public static string TextToken(string user, string password) => $"""
        <Security xmlns="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"><UsernameToken>
        <Username>{user}</Username><Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText">{password}</Password>
        </UsernameToken></Security>
        """;

    public static string Operation(string name, string ns = Device, string content = "") => $"""<{name} xmlns="{ns}">{content}</{name}>""";

    /// <summary>POSTs <paramref name="xml"/> without HTTP credentials (unless <paramref name="client"/> has some).</summary>
    public static async Task<(HttpStatusCode Status, string Body, HttpResponseMessage Response)> Post(EdgeServer server, string xml,
        string path = "/onvif/device_service", HttpClient? client = null)
    {
        using var anonymous = new HttpClient { BaseAddress = server.BaseUri, Timeout = TimeSpan.FromSeconds(30) };
        var content = new StringContent(xml, Encoding.UTF8);
        content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse("application/soap+xml; charset=utf-8");
        var response = await (client ?? anonymous).PostAsync(path, content);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(), response);
    }
}
