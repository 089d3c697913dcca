namespace Edge.Onvif;

/// <summary>The XML namespaces of SOAP 1.2, WS-Security, WS-Addressing, WS-Discovery and the ONVIF services.</summary>
public static class OnvifNamespaces
{
    public const string Soap = "http://www.w3.org/2003/05/soap-envelope";
    public const string Wsse = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";
    public const string Device = "http://www.onvif.org/ver10/device/wsdl";
    public const string Media = "http://www.onvif.org/ver10/media/wsdl";
    public const string Schema = "http://www.onvif.org/ver10/schema";
    public const string Error = "http://www.onvif.org/ver10/error";
    public const string Network = "http://www.onvif.org/ver10/network/wsdl";

    /// <summary>WS-Addressing as of August 2004, which WS-Discovery 2005/04 (the version ONVIF uses) builds on.</summary>
    public const string Addressing = "http://schemas.xmlsoap.org/ws/2004/08/addressing";
    public const string Discovery = "http://schemas.xmlsoap.org/ws/2005/04/discovery";
}
