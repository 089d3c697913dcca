namespace Edge.Onvif;

/// <summary>The XML namespaces of SOAP 1.2, WS-Security and the ONVIF device and media services.</summary>
public static class OnvifNamespaces
{
    public const string Soap = "http://www.w3.org/2003/05/soap-envelope";
    public const string Wsse = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";
    public const string Device = "http://www.onvif.org/ver10/device/wsdl";
    public const string Media = "http://www.onvif.org/ver10/media/wsdl";
    public const string Schema = "http://www.onvif.org/ver10/schema";
    public const string Error = "http://www.onvif.org/ver10/error";
}
