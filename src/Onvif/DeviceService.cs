using Edge.Auth;
using System.Net;
using System.Runtime.InteropServices;
using Edge.Onvif.Xml;
using Edge.Streaming;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using static Edge.Auth.UserRole;

namespace Edge.Onvif;

/// <summary>
/// The ONVIF device service (<c>tds</c>): identity, clock, capabilities and service addresses, network
/// settings (read only, from the last <see cref="HostNetwork"/> snapshot), scopes, users, and SystemReboot. Loop only.
/// </summary>
public sealed partial class DeviceService : IOnvifService
{
    public const string Path = "/onvif/device_service";
    private readonly TimeProvider _time;
    private readonly Authenticator _auth;
    private readonly RtspServer _rtsp;
    private readonly MediaService _media;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly string _serial;
    private readonly string _version;
    private readonly HostNetwork _network;
    private readonly OnvifScopes _scopes;
    private readonly bool _discoverable;
    private readonly ILogger _logger;
    // Whether the imaging service is offered (an IR-cut filter is configured).
    private readonly bool _imaging;

    /// <param name="serial">A stable id of this installation (<see cref="DeviceIdentity"/>).</param>
    /// <param name="discoverable">Whether WS-Discovery runs (<c>GetDiscoveryMode</c>).</param>
    /// <param name="imaging">Whether the imaging service is offered (<c>Gpio:IrCut</c>).</param>
    public DeviceService(TimeProvider time, Authenticator auth, RtspServer rtsp, MediaService media, IHostApplicationLifetime lifetime,
        string serial, string version, HostNetwork network, OnvifScopes scopes, bool discoverable, bool imaging, ILogger logger)
    {
        _time = time;
        _auth = auth;
        _rtsp = rtsp;
        _media = media;
        _lifetime = lifetime;
        _serial = serial;
        _version = version;
        _network = network;
        _scopes = scopes;
        _discoverable = discoverable;
        _imaging = imaging;
        _logger = logger;
        Operations = new Dictionary<string, OnvifOperation>(StringComparer.Ordinal)
        {
            ["GetSystemDateAndTime"] = new(Viewer, GetSystemDateAndTime, Anonymous: true),
            ["GetCapabilities"] = new(Viewer, GetCapabilities, Anonymous: true),
            ["GetServices"] = new(Viewer, GetServices, Anonymous: true),
            ["GetServiceCapabilities"] = new(Viewer, (_, w) =>
                Respond(w, "GetServiceCapabilitiesResponse", () => WriteServiceCapabilities(w)),
                Anonymous: true),
            ["GetHostname"] = new(Viewer, GetHostname, Anonymous: true),
            ["GetWsdlUrl"] = new(Viewer, (_, w) =>
                Respond(w, "GetWsdlUrlResponse", () => w.Tds("WsdlUrl", "https://www.onvif.org/profiles/specifications/")),
                Anonymous: true),
            ["GetDeviceInformation"] = new(Viewer, GetDeviceInformation),
            ["GetScopes"] = new(Viewer, GetScopes),
            ["GetNetworkInterfaces"] = new(Viewer, GetNetworkInterfaces),
            ["GetNetworkProtocols"] = new(Viewer, GetNetworkProtocols),
            ["GetDNS"] = new(Viewer, GetDns),
            ["GetNTP"] = new(Viewer, (_, w) => Respond(w, "GetNTPResponse", () =>
            {
                w.StartTds("NTPInformation");
                w.Tt("FromDHCP", false);
                w.WriteEndElement();
            })),
            ["GetNetworkDefaultGateway"] = new(Viewer, GetNetworkDefaultGateway),
            ["GetDiscoveryMode"] = new(Viewer, (_, w) =>
                Respond(w, "GetDiscoveryModeResponse", () => w.Tds("DiscoveryMode", _discoverable ? "Discoverable" : "NonDiscoverable"))),
            ["GetUsers"] = new(Admin, GetUsers),
            ["SystemReboot"] = new(Admin, SystemReboot),
        };
    }

    public string Namespace => OnvifNamespaces.Device;

    public IReadOnlyDictionary<string, OnvifOperation> Operations { get; }

    private static void Respond(XmlDocumentWriter w, string name, Action content)
    {
        w.StartTds(name);
        content();
        w.WriteEndElement();
    }

    private void GetSystemDateAndTime(OnvifCall call, XmlDocumentWriter w) => Respond(w, "GetSystemDateAndTimeResponse", () =>
    {
        var utc = _time.GetUtcNow();
        var local = TimeZoneInfo.ConvertTime(utc, TimeZoneInfo.Local);
        w.StartTds("SystemDateAndTime");
        w.Tt("DateTimeType", "NTP");
        w.Tt("DaylightSavings", false);
        w.StartTt("TimeZone");
        w.Tt("TZ", PosixTimeZone(local.Offset));
        w.WriteEndElement();
        WriteDateTime(w, "UTCDateTime", utc.UtcDateTime);
        WriteDateTime(w, "LocalDateTime", local.DateTime);
        w.WriteEndElement();
    });

    // POSIX TZ counts hours west of Greenwich: UTC+2 is "UTC-2".
    private static string PosixTimeZone(TimeSpan offset)
    {
        var west = -offset;
        string sign = west < TimeSpan.Zero ? "-" : "";
        var abs = west.Duration();
        return abs.Minutes == 0 ? $"UTC{sign}{abs.Hours}" : $"UTC{sign}{abs.Hours}:{abs.Minutes:00}";
    }

    private static void WriteDateTime(XmlDocumentWriter w, string name, DateTime time)
    {
        w.StartTt(name);
        w.StartTt("Time");
        w.Tt("Hour", time.Hour);
        w.Tt("Minute", time.Minute);
        w.Tt("Second", time.Second);
        w.WriteEndElement();
        w.StartTt("Date");
        w.Tt("Year", time.Year);
        w.Tt("Month", time.Month);
        w.Tt("Day", time.Day);
        w.WriteEndElement();
        w.WriteEndElement();
    }

    private void GetDeviceInformation(OnvifCall call, XmlDocumentWriter w) => Respond(w, "GetDeviceInformationResponse", () =>
    {
        w.Tds("Manufacturer", "Edge");
        w.Tds("Model", "Edge camera server");
        w.Tds("FirmwareVersion", _version);
        w.Tds("SerialNumber", _serial);
        w.Tds("HardwareId", $"{RuntimeInformation.OSDescription} {RuntimeInformation.OSArchitecture}".ToLowerInvariant());
    });

    private void GetCapabilities(OnvifCall call, XmlDocumentWriter w) => Respond(w, "GetCapabilitiesResponse", () =>
    {
        w.StartTds("Capabilities");
        w.StartTt("Device");
        w.Tt("XAddr", $"http://{call.Host}{Path}");
        w.StartTt("Network");
        w.Tt("IPFilter", false);
        w.Tt("ZeroConfiguration", false);
        w.Tt("IPVersion6", false);
        w.Tt("DynDNS", false);
        w.WriteEndElement();
        w.StartTt("System");
        w.Tt("DiscoveryResolve", true);
        w.Tt("DiscoveryBye", true);
        w.Tt("RemoteDiscovery", false);
        w.Tt("SystemBackup", false);
        w.Tt("SystemLogging", false);
        w.Tt("FirmwareUpgrade", false);
        w.Version("tt", "SupportedVersions", OnvifNamespaces.Schema, 2, 0);
        w.WriteEndElement();
        w.StartTt("Security");
        foreach (var name in new[] { "TLS1.1", "TLS1.2", "OnboardKeyGeneration", "AccessPolicyConfig", "X.509Token", "SAMLToken",
            "KerberosToken", "RELToken" }) w.Tt(name, false);
        w.WriteEndElement();
        w.WriteEndElement();
        // In the schema's order: Device, Events, Imaging, Media (clients read the sequence in order).
        w.StartTt("Events");
        w.Tt("XAddr", $"http://{call.Host}{EventsService.Path}");
        w.Tt("WSSubscriptionPolicySupport", false);
        w.Tt("WSPullPointSupport", true);
        w.Tt("WSPausableSubscriptionManagerInterfaceSupport", false);
        w.WriteEndElement();
        if (_imaging)
        {
            w.StartTt("Imaging");
            w.Tt("XAddr", $"http://{call.Host}{ImagingService.Path}");
            w.WriteEndElement();
        }
        w.StartTt("Media");
        w.Tt("XAddr", $"http://{call.Host}{MediaService.Path}");
        w.StartTt("StreamingCapabilities");
        w.Tt("RTPMulticast", false);
        w.Tt("RTP_TCP", true);
        w.Tt("RTP_RTSP_TCP", true);
        w.WriteEndElement();
        w.WriteEndElement();
        w.WriteEndElement();
    });

    private void GetServices(OnvifCall call, XmlDocumentWriter w) => Respond(w, "GetServicesResponse", () =>
    {
        bool capabilities = call.Request.Parameter("IncludeCapability") is "true" or "1";
        WriteService(w, OnvifNamespaces.Device, $"http://{call.Host}{Path}", capabilities ? () => WriteServiceCapabilities(w) : null);
        WriteService(w, OnvifNamespaces.Media, $"http://{call.Host}{MediaService.Path}",
            capabilities ? () => _media.WriteServiceCapabilities(w) : null);
        WriteService(w, OnvifNamespaces.Events, $"http://{call.Host}{EventsService.Path}",
            capabilities ? () => EventsService.WriteServiceCapabilities(w) : null);
        if (_imaging)
        {
            WriteService(w, OnvifNamespaces.Imaging, $"http://{call.Host}{ImagingService.Path}",
                capabilities ? () => ImagingService.WriteServiceCapabilities(w) : null);
        }
    });

    private static void WriteService(XmlDocumentWriter w, string ns, string address, Action? capabilities)
    {
        w.StartTds("Service");
        w.Tds("Namespace", ns);
        w.Tds("XAddr", address);
        if (capabilities != null)
        {
            w.StartTds("Capabilities");
            capabilities();
            w.WriteEndElement();
        }
        w.Version("tds", "Version", OnvifNamespaces.Device, 2, 0);
        w.WriteEndElement();
    }

    private static void WriteServiceCapabilities(XmlDocumentWriter w)
    {
        w.StartTds("Capabilities");
        w.StartTds("Network");
        w.Attribute("IPFilter", false);
        w.Attribute("ZeroConfiguration", false);
        w.Attribute("IPVersion6", false);
        w.Attribute("DynDNS", false);
        w.Attribute("Dot11Configuration", false);
        w.Attribute("HostnameFromDHCP", false);
        w.Attribute("NTP", 0);
        w.WriteEndElement();
        w.StartTds("Security");
        w.Attribute("UsernameToken", true);
        w.Attribute("HttpDigest", false);
        w.Attribute("TLS1.2", false);
        w.WriteEndElement();
        w.StartTds("System");
        w.Attribute("DiscoveryResolve", true);
        w.Attribute("DiscoveryBye", true);
        w.Attribute("RemoteDiscovery", false);
        w.Attribute("SystemBackup", false);
        w.Attribute("SystemLogging", false);
        w.Attribute("FirmwareUpgrade", false);
        w.WriteEndElement();
        w.WriteEndElement();
    }

    private void GetScopes(OnvifCall call, XmlDocumentWriter w) => Respond(w, "GetScopesResponse", () =>
    {
        foreach (var scope in _scopes.For(_network.Current))
        {
            w.StartTds("Scopes");
            w.Tt("ScopeDef", scope.Fixed ? "Fixed" : "Configurable");
            w.Tt("ScopeItem", scope.Uri);
            w.WriteEndElement();
        }
    });

    private static void GetHostname(OnvifCall call, XmlDocumentWriter w) => Respond(w, "GetHostnameResponse", () =>
    {
        w.StartTds("HostnameInformation");
        w.Tt("FromDHCP", false);
        w.Tt("Name", Dns.GetHostName());
        w.WriteEndElement();
    });

    private void GetNetworkInterfaces(OnvifCall call, XmlDocumentWriter w) => Respond(w, "GetNetworkInterfacesResponse", () =>
    {
        foreach (var nic in _network.Current.Interfaces)
        {
            w.StartTds("NetworkInterfaces");
            w.Attribute("token", nic.Name);
            w.Tt("Enabled", true);
            w.StartTt("Info");
            w.Tt("Name", nic.Name);
            w.Tt("HwAddress", nic.Mac);
            w.WriteEndElement();
            w.StartTt("IPv4");
            w.Tt("Enabled", nic.IPv4.Count > 0);
            w.StartTt("Config");
            foreach (var address in nic.IPv4)
            {
                w.StartTt("Manual");
                w.Tt("Address", address.Address.ToString());
                w.Tt("PrefixLength", address.PrefixLength);
                w.WriteEndElement();
            }
            w.Tt("DHCP", false);
            w.WriteEndElement();
            w.WriteEndElement();
            w.WriteEndElement();
        }
    });

    private void GetNetworkProtocols(OnvifCall call, XmlDocumentWriter w) => Respond(w, "GetNetworkProtocolsResponse", () =>
    {
        WriteProtocol(w, "HTTP", true, call.LocalPort);
        // Port is 0 until the RTSP service listens (or when it is disabled).
        WriteProtocol(w, "RTSP", _rtsp.Port != 0, _rtsp.Port != 0 ? _rtsp.Port : _rtsp.Settings.Port);
    });

    private static void WriteProtocol(XmlDocumentWriter w, string name, bool enabled, int port)
    {
        w.StartTds("NetworkProtocols");
        w.Tt("Name", name);
        w.Tt("Enabled", enabled);
        w.Tt("Port", port);
        w.WriteEndElement();
    }

    private void GetDns(OnvifCall call, XmlDocumentWriter w) => Respond(w, "GetDNSResponse", () =>
    {
        w.StartTds("DNSInformation");
        w.Tt("FromDHCP", false);
        foreach (var server in _network.Current.Dns)
        {
            w.StartTt("DNSManual");
            w.Tt("Type", "IPv4");
            w.Tt("IPv4Address", server.ToString());
            w.WriteEndElement();
        }
        w.WriteEndElement();
    });

    private void GetNetworkDefaultGateway(OnvifCall call, XmlDocumentWriter w) => Respond(w, "GetNetworkDefaultGatewayResponse", () =>
    {
        w.StartTds("NetworkGateway");
        foreach (var gateway in _network.Current.Interfaces.SelectMany(i => i.Gateways).Distinct())
            w.Tt("IPv4Address", gateway.ToString());
        w.WriteEndElement();
    });

    private void GetUsers(OnvifCall call, XmlDocumentWriter w) => Respond(w, "GetUsersResponse", () =>
    {
        foreach (var name in _auth.UserNames)
        {
            w.StartTds("User");
            w.Tt("Username", name);
            w.Tt("UserLevel", _auth.RoleOf(name).OnvifLevel());
            w.WriteEndElement();
        }
    });

    private void SystemReboot(OnvifCall call, XmlDocumentWriter w)
    {
        Respond(w, "SystemRebootResponse", () => w.Tds("Message", "Edge stops now; the init system starts it again."));
        call.AfterResponse = () =>
        {
            Log.Rebooting(_logger);
            _lifetime.StopApplication();
        };
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "ONVIF SystemReboot: stopping (the init system restarts Edge)")]
        public static partial void Rebooting(ILogger logger);
    }
}
