namespace Edge.Onvif;

/// <summary>
/// The XML namespaces of SOAP 1.2, WS-Security, WS-Addressing, WS-Discovery, WS-BaseNotification and the
/// ONVIF services.
/// </summary>
public static class OnvifNamespaces
{
    public const string Soap = "http://www.w3.org/2003/05/soap-envelope";
    public const string Wsse = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";
    public const string Device = "http://www.onvif.org/ver10/device/wsdl";
    public const string Media = "http://www.onvif.org/ver10/media/wsdl";
    public const string Schema = "http://www.onvif.org/ver10/schema";
    public const string Error = "http://www.onvif.org/ver10/error";
    public const string Network = "http://www.onvif.org/ver10/network/wsdl";
    public const string Events = "http://www.onvif.org/ver10/events/wsdl";
    public const string Imaging = "http://www.onvif.org/ver20/imaging/wsdl";
    public const string Topics = "http://www.onvif.org/ver10/topics";

    /// <summary>WS-BaseNotification (Renew and Unsubscribe of a pull point are in it) and its topics.</summary>
    public const string Notification = "http://docs.oasis-open.org/wsn/b-2";
    public const string Topic = "http://docs.oasis-open.org/wsn/t-1";

    /// <summary>WS-ResourceFramework: the fault for a subscription that is gone.</summary>
    public const string ResourceFault = "http://docs.oasis-open.org/wsrf/rw-2";

    /// <summary>WS-Addressing 1.0 (2005/08), which the events service's endpoint references use.</summary>
    public const string Addressing10 = "http://www.w3.org/2005/08/addressing";

    /// <summary>WS-Addressing as of August 2004, which WS-Discovery 2005/04 (the version ONVIF uses) builds on.</summary>
    public const string Addressing = "http://schemas.xmlsoap.org/ws/2004/08/addressing";
    public const string Discovery = "http://schemas.xmlsoap.org/ws/2005/04/discovery";
}
