using System.Globalization;
using Edge.Onvif.Xml;

namespace Edge.Onvif;

/// <summary>
/// Writes SOAP 1.2 envelopes and faults with <see cref="XmlDocumentWriter"/> (so every value is escaped), and
/// short helpers for the <c>tt:</c>, <c>tds:</c> and <c>trt:</c> elements the services write.
/// </summary>
public static class SoapWriter
{
    public const string ContentType = "application/soap+xml; charset=utf-8";

    // The prefixes ONVIF service answers use; ter: and wsrf-rw: because fault subcodes are QNames in text, which no
    // element would declare, and tns1: because event topics are QNames in text too.
    private static readonly (string Prefix, string Uri)[] ServiceNamespaces =
        [("tt", OnvifNamespaces.Schema), ("tds", OnvifNamespaces.Device), ("trt", OnvifNamespaces.Media), ("ter", OnvifNamespaces.Error),
            ("tev", OnvifNamespaces.Events), ("wsnt", OnvifNamespaces.Notification), ("wsa", OnvifNamespaces.Addressing10),
            ("tns1", OnvifNamespaces.Topics), ("wstop", OnvifNamespaces.Topic), ("wsrf-rw", OnvifNamespaces.ResourceFault),
            ("timg", OnvifNamespaces.Imaging), ("xs", "http://www.w3.org/2001/XMLSchema")];

    /// <summary>An ONVIF service envelope whose Body is what <paramref name="body"/> writes.</summary>
    public static byte[] Envelope(Action<XmlDocumentWriter> body) => Envelope(ServiceNamespaces, null, body);

    /// <summary>
    /// An envelope declaring <paramref name="namespaces"/> at its root, with a Header when
    /// <paramref name="header"/> is given.
    /// </summary>
    public static byte[] Envelope(IEnumerable<(string Prefix, string Uri)> namespaces, Action<XmlDocumentWriter>? header,
        Action<XmlDocumentWriter> body)
    {
        var w = new XmlDocumentWriter();
        w.WriteStartDocument();
        w.WriteStartElement("s", "Envelope", OnvifNamespaces.Soap);
        foreach (var (prefix, uri) in namespaces) w.WriteNamespace(prefix, uri);
        if (header != null)
        {
            w.WriteStartElement("s", "Header", OnvifNamespaces.Soap);
            header(w);
            w.WriteEndElement();
        }
        w.WriteStartElement("s", "Body", OnvifNamespaces.Soap);
        body(w);
        w.WriteEndElement();
        w.WriteEndElement();
        return w.ToUtf8();
    }

    public static byte[] Fault(SoapFault fault) => Envelope(w =>
    {
        w.WriteStartElement("s", "Fault", OnvifNamespaces.Soap);
        w.WriteStartElement("s", "Code", OnvifNamespaces.Soap);
        w.WriteElementString("s", "Value", OnvifNamespaces.Soap, fault.Code);
        foreach (var subcode in fault.Subcodes)
        {
            w.WriteStartElement("s", "Subcode", OnvifNamespaces.Soap);
            w.WriteElementString("s", "Value", OnvifNamespaces.Soap, subcode);
        }
        foreach (var _ in fault.Subcodes) w.WriteEndElement();
        w.WriteEndElement();
        w.WriteStartElement("s", "Reason", OnvifNamespaces.Soap);
        w.WriteStartElement("s", "Text", OnvifNamespaces.Soap);
        w.WriteAttributeString("xml:lang", "en");
        w.WriteString(fault.Message);
        w.WriteEndElement();
        w.WriteEndElement();
        if (fault.Detail is { } detail)
        {
            w.WriteStartElement("s", "Detail", OnvifNamespaces.Soap);
            detail(w);
            w.WriteEndElement();
        }
        w.WriteEndElement();
    });

    public static void StartTt(this XmlDocumentWriter w, string name) => w.WriteStartElement("tt", name, OnvifNamespaces.Schema);

    public static void StartTds(this XmlDocumentWriter w, string name) => w.WriteStartElement("tds", name, OnvifNamespaces.Device);

    public static void StartTrt(this XmlDocumentWriter w, string name) => w.WriteStartElement("trt", name, OnvifNamespaces.Media);

    public static void Tt(this XmlDocumentWriter w, string name, string value)
        => w.WriteElementString("tt", name, OnvifNamespaces.Schema, value);

    public static void Tt(this XmlDocumentWriter w, string name, int value) => w.Tt(name, value.ToString(CultureInfo.InvariantCulture));

    public static void Tt(this XmlDocumentWriter w, string name, bool value) => w.Tt(name, value ? "true" : "false");

    public static void Tds(this XmlDocumentWriter w, string name, string value)
        => w.WriteElementString("tds", name, OnvifNamespaces.Device, value);

    public static void Trt(this XmlDocumentWriter w, string name, int value)
        => w.WriteElementString("trt", name, OnvifNamespaces.Media, value.ToString(CultureInfo.InvariantCulture));

    public static void Attribute(this XmlDocumentWriter w, string name, string value) => w.WriteAttributeString(name, value);

    public static void Attribute(this XmlDocumentWriter w, string name, int value)
        => w.WriteAttributeString(name, value.ToString(CultureInfo.InvariantCulture));

    public static void Attribute(this XmlDocumentWriter w, string name, bool value)
        => w.WriteAttributeString(name, value ? "true" : "false");

    /// <summary><c>&lt;tt:Min&gt;</c>/<c>&lt;tt:Max&gt;</c> inside element <paramref name="name"/>.</summary>
    public static void Range(this XmlDocumentWriter w, string name, int min, int max)
    {
        w.StartTt(name);
        w.Tt("Min", min);
        w.Tt("Max", max);
        w.WriteEndElement();
    }

    /// <summary>A <c>tt:Width</c>/<c>tt:Height</c> pair inside element <paramref name="name"/>.</summary>
    public static void Resolution(this XmlDocumentWriter w, string name, int width, int height)
    {
        w.StartTt(name);
        w.Tt("Width", width);
        w.Tt("Height", height);
        w.WriteEndElement();
    }

    /// <summary>Major/minor version numbers inside <c>tds:Version</c>-like element <paramref name="name"/>.</summary>
    public static void Version(this XmlDocumentWriter w, string prefix, string name, string ns, int major, int minor)
    {
        w.WriteStartElement(prefix, name, ns);
        w.Tt("Major", major);
        w.Tt("Minor", minor);
        w.WriteEndElement();
    }
}
