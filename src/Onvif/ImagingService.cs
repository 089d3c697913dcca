using Edge.Auth;
using Edge.Gpio;
using Edge.Onvif.Xml;
using Edge.State;
using static Edge.Auth.UserRole;

namespace Edge.Onvif;

/// <summary>
/// The ONVIF imaging service (<c>timg</c>), for the IR-cut filter only: GetServiceCapabilities,
/// GetImagingSettings, GetOptions and SetImagingSettings with <c>IrCutFilter</c> ON (filter in), OFF (out:
/// night, infrared) or AUTO, which Home Assistant's "IR lamp" switch sets. Offered only with <c>Gpio:IrCut</c>.
/// </summary>
public sealed class ImagingService : IOnvifService
{
    public const string Path = "/onvif/imaging_service";
    private const string SourceToken = "video_source";

    private readonly IrCutService _irCut;

    public ImagingService(IrCutService irCut)
    {
        _irCut = irCut;
        Operations = new Dictionary<string, OnvifOperation>(StringComparer.Ordinal)
        {
            ["GetServiceCapabilities"] = new(Viewer, (_, w) =>
                Respond(w, "GetServiceCapabilitiesResponse", () => WriteServiceCapabilities(w))),
            ["GetImagingSettings"] = new(Viewer, (call, w) =>
            {
                Source(call);
                Respond(w, "GetImagingSettingsResponse", () =>
                {
                    w.WriteStartElement("timg", "ImagingSettings", OnvifNamespaces.Imaging);
                    w.Tt("IrCutFilter", _irCut.Mode.ToUpperInvariant());
                    w.WriteEndElement();
                });
            }),
            ["GetOptions"] = new(Viewer, (call, w) =>
            {
                Source(call);
                Respond(w, "GetOptionsResponse", () =>
                {
                    w.WriteStartElement("timg", "ImagingOptions", OnvifNamespaces.Imaging);
                    foreach (string mode in IrCutSettings.Modes) w.Tt("IrCutFilterModes", mode.ToUpperInvariant());
                    w.WriteEndElement();
                });
            }),
            // The mode is saved and applied before the answer: the Wait does it, off the writer.
            ["SetImagingSettings"] = new(Operator, (_, w) => Respond(w, "SetImagingSettingsResponse", () => { }),
                Wait: SetImagingSettings),
        };
    }

    public string Namespace => OnvifNamespaces.Imaging;

    public IReadOnlyDictionary<string, OnvifOperation> Operations { get; }

    /// <summary>The service's capabilities (also part of the device service's GetServices).</summary>
    public static void WriteServiceCapabilities(XmlDocumentWriter w)
    {
        w.WriteStartElement("timg", "Capabilities", OnvifNamespaces.Imaging);
        w.Attribute("ImageStabilization", false);
        w.Attribute("Presets", false);
        w.Attribute("AdaptablePreset", false);
        w.WriteEndElement();
    }

    private async Task SetImagingSettings(OnvifCall call, CancellationToken cancellationToken)
    {
        Source(call);
        string mode = call.Request.Parameter("IrCutFilter") switch
        {
            "ON" => "on",
            "OFF" => "off",
            "AUTO" => "auto",
            null => throw SoapFault.InvalidArgument("ter:SettingsInvalid", "Only IrCutFilter (ON, OFF or AUTO) can be set here."),
            var other => throw SoapFault.InvalidArgument("ter:SettingsInvalid", $"IrCutFilter is ON, OFF or AUTO, not '{other}'."),
        };
        try
        {
            await _irCut.SetMode(mode);
        }
        catch (StorageException e)
        {
            throw new SoapFault("s:Receiver", e.Message);
        }
    }

    private static void Source(OnvifCall call)
    {
        if (call.Request.Parameter("VideoSourceToken") != SourceToken)
            throw SoapFault.InvalidArgument("ter:NoSource", $"The video source is '{SourceToken}'.");
    }

    private static void Respond(XmlDocumentWriter w, string name, Action content)
    {
        w.WriteStartElement("timg", name, OnvifNamespaces.Imaging);
        content();
        w.WriteEndElement();
    }
}
