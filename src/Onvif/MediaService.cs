using Edge.Camera;
using Edge.Onvif.Xml;
using Edge.Streaming;
using Edge.Video;
using static Edge.Auth.UserRole;

namespace Edge.Onvif;

/// <summary>
/// The ONVIF media service (<c>trt</c>, Profile S): only what plays, the best first. H.264 (RTSP
/// <c>/h264</c>) when the camera delivers it or Edge can encode it, then JPEG (RTSP <c>/stream</c>,
/// MJPEG over HTTP, snapshots) unless an H.264 camera's stream cannot be decoded. Size and frame rate are what the
/// camera delivers (<see cref="CameraService.Shape"/>), not what its settings ask for; tokens are
/// fixed strings, so they stay the same across restarts.
/// Read only: changes go through <c>camera.set</c>. Loop only.
/// </summary>
public sealed class MediaService : IOnvifService
{
    public const string Path = "/onvif/media_service";
    public const string JpegProfile = "profile_jpeg";
    public const string H264Profile = "profile_h264";
    private const string SourceToken = "video_source";
    private const string SourceConfigToken = "video_source_config";
    private const string JpegEncoderToken = "video_encoder_jpeg";
    private const string H264EncoderToken = "video_encoder_h264";
    private const int MaxProfiles = 2;

    private readonly CameraService _camera;
    private readonly H264Service _h264;
    private readonly RtspServer _rtsp;

    public MediaService(CameraService camera, H264Service h264, RtspServer rtsp)
    {
        _camera = camera;
        _h264 = h264;
        _rtsp = rtsp;
        Operations = new Dictionary<string, OnvifOperation>(StringComparer.Ordinal)
        {
            ["GetServiceCapabilities"] = new(Viewer, (_, w) =>
                Respond(w, "GetServiceCapabilitiesResponse", () => WriteServiceCapabilities(w))),
            ["GetProfiles"] = new(Viewer, (_, w) => Respond(w, "GetProfilesResponse", () =>
            {
                foreach (var profile in Profiles()) WriteProfile(w, "Profiles", profile);
            })),
            ["GetProfile"] = new(Viewer, (call, w) =>
                Respond(w, "GetProfileResponse", () => WriteProfile(w, "Profile", FindProfile(call)))),
            ["GetVideoSources"] = new(Viewer, GetVideoSources),
            ["GetVideoSourceConfigurations"] = new(Viewer, (_, w) =>
                Respond(w, "GetVideoSourceConfigurationsResponse", () => WriteSourceConfiguration(w, "Configurations"))),
            ["GetVideoSourceConfiguration"] = new(Viewer, GetVideoSourceConfiguration),
            ["GetVideoEncoderConfigurations"] = new(Viewer, (_, w) => Respond(w, "GetVideoEncoderConfigurationsResponse", () =>
            {
                foreach (var profile in Profiles()) WriteEncoderConfiguration(w, "Configurations", profile);
            })),
            ["GetVideoEncoderConfiguration"] = new(Viewer, (call, w) =>
                Respond(w, "GetVideoEncoderConfigurationResponse", () => WriteEncoderConfiguration(w, "Configuration", FindEncoder(call)))),
            ["GetCompatibleVideoEncoderConfigurations"] = new(Viewer, (call, w) =>
                Respond(w, "GetCompatibleVideoEncoderConfigurationsResponse",
                    () => WriteEncoderConfiguration(w, "Configurations", FindProfile(call)))),
            ["GetVideoEncoderConfigurationOptions"] = new(Viewer, GetVideoEncoderConfigurationOptions),
            ["GetStreamUri"] = new(Viewer, GetStreamUri),
            ["GetSnapshotUri"] = new(Viewer, (call, w) => Respond(w, "GetSnapshotUriResponse", () =>
            {
                FindProfile(call);
                // Clients such as Home Assistant then take stills from the stream instead.
                if (_camera.JpegUnavailable is { } why) throw new SoapFault("s:Receiver", why + ".", "ter:ActionNotSupported");
                WriteMediaUri(w, $"http://{call.Host}/snapshot.jpg");
            })),
            ["GetGuaranteedNumberOfVideoEncoderInstances"] = new(Viewer, GetGuaranteedNumberOfVideoEncoderInstances),
        };
    }

    public string Namespace => OnvifNamespaces.Media;

    public IReadOnlyDictionary<string, OnvifOperation> Operations { get; }

    /// <summary>A profile and its encoder: what the camera offers that way.</summary>
    private sealed record Profile(string Token, string Name, string EncoderToken, string Encoding, string RtspPath);

    private static readonly Profile Jpeg = new(JpegProfile, "JPEG", JpegEncoderToken, "JPEG", "/stream");
    private static readonly Profile H264 = new(H264Profile, "H264", H264EncoderToken, "H264", "/h264");

    // Home Assistant takes the first H.264 profile; without an H.264 decoder an H.264 camera's /stream answers 404: no JPEG profile.
    private IEnumerable<Profile> Profiles()
    {
        if (_h264.Unavailable == null) yield return H264;
        if (_camera.JpegUnavailable == null) yield return Jpeg;
    }

    private Profile FindProfile(OnvifCall call)
    {
        string? token = call.Request.Parameter("ProfileToken");
        return Profiles().FirstOrDefault(p => p.Token == token)
            ?? throw SoapFault.InvalidArgument("ter:NoProfile", $"No profile with token '{token}'.");
    }

    private Profile FindEncoder(OnvifCall call)
    {
        string? token = call.Request.Parameter("ConfigurationToken");
        return Profiles().FirstOrDefault(p => p.EncoderToken == token)
            ?? throw SoapFault.InvalidArgument("ter:NoConfig", $"No video encoder configuration with token '{token}'.");
    }

    private static void Respond(XmlDocumentWriter w, string name, Action content)
    {
        w.StartTrt(name);
        content();
        w.WriteEndElement();
    }

    /// <summary>The media service's capabilities (also part of the device service's GetServices).</summary>
    public void WriteServiceCapabilities(XmlDocumentWriter w)
    {
        w.StartTrt("Capabilities");
        w.Attribute("SnapshotUri", _camera.JpegUnavailable == null);
        w.Attribute("Rotation", false);
        w.Attribute("VideoSourceMode", false);
        w.Attribute("OSD", false);
        w.StartTrt("ProfileCapabilities");
        w.Attribute("MaximumNumberOfProfiles", MaxProfiles);
        w.WriteEndElement();
        w.StartTrt("StreamingCapabilities");
        w.Attribute("RTPMulticast", false);
        w.Attribute("RTP_TCP", true);
        w.Attribute("RTP_RTSP_TCP", true);
        w.WriteEndElement();
        w.WriteEndElement();
    }

    private void WriteProfile(XmlDocumentWriter w, string element, Profile profile)
    {
        w.StartTrt(element);
        w.Attribute("token", profile.Token);
        w.Attribute("fixed", true);
        w.Tt("Name", profile.Name);
        WriteSourceConfiguration(w, "VideoSourceConfiguration", "tt");
        WriteEncoderConfiguration(w, "VideoEncoderConfiguration", profile, "tt");
        w.WriteEndElement();
    }

    private void GetVideoSources(OnvifCall call, XmlDocumentWriter w) => Respond(w, "GetVideoSourcesResponse", () =>
    {
        var shape = _camera.Shape;
        w.StartTrt("VideoSources");
        w.Attribute("token", SourceToken);
        w.Tt("Framerate", shape.Fps);
        w.Resolution("Resolution", shape.Width, shape.Height);
        w.WriteEndElement();
    });

    private void GetVideoSourceConfiguration(OnvifCall call, XmlDocumentWriter w)
    {
        string? token = call.Request.Parameter("ConfigurationToken");
        if (token != SourceConfigToken)
            throw SoapFault.InvalidArgument("ter:NoConfig", $"No video source configuration with token '{token}'.");
        Respond(w, "GetVideoSourceConfigurationResponse", () => WriteSourceConfiguration(w, "Configuration"));
    }

    private void WriteSourceConfiguration(XmlDocumentWriter w, string element, string prefix = "trt")
    {
        var shape = _camera.Shape;
        w.WriteStartElement(prefix, element, prefix == "tt" ? OnvifNamespaces.Schema : OnvifNamespaces.Media);
        w.Attribute("token", SourceConfigToken);
        w.Tt("Name", "Camera");
        w.Tt("UseCount", Profiles().Count());
        w.Tt("SourceToken", SourceToken);
        w.StartTt("Bounds");
        w.Attribute("x", 0);
        w.Attribute("y", 0);
        w.Attribute("width", shape.Width);
        w.Attribute("height", shape.Height);
        w.WriteEndElement();
        w.WriteEndElement();
    }

    private void WriteEncoderConfiguration(XmlDocumentWriter w, string element, Profile profile, string prefix = "trt")
    {
        var settings = _camera.Settings;
        var shape = _camera.Shape;
        w.WriteStartElement(prefix, element, prefix == "tt" ? OnvifNamespaces.Schema : OnvifNamespaces.Media);
        w.Attribute("token", profile.EncoderToken);
        w.Tt("Name", profile.Name);
        w.Tt("UseCount", 1);
        w.Tt("Encoding", profile.Encoding);
        w.Resolution("Resolution", shape.Width, shape.Height);
        w.Tt("Quality", settings.Quality);
        // Edge's encoder keeps to its bit rate and GOP; JPEG and an H.264 camera's own stream have no such limit here.
        bool encoded = profile == H264 && !settings.DeliversH264;
        var h264 = settings.H264OrDefault();
        w.StartTt("RateControl");
        w.Tt("FrameRateLimit", shape.Fps);
        w.Tt("EncodingInterval", 1);
        w.Tt("BitrateLimit", encoded ? h264.Bitrate : 0);
        w.WriteEndElement();
        if (encoded)
        {
            w.StartTt("H264");
            w.Tt("GovLength", shape.Fps * h264.KeyframeSeconds);
            w.Tt("H264Profile", OnvifProfileName(h264.Profile));
            w.WriteEndElement();
        }
        w.StartTt("Multicast");
        w.StartTt("Address");
        w.Tt("Type", "IPv4");
        w.Tt("IPv4Address", "0.0.0.0");
        w.WriteEndElement();
        w.Tt("Port", 0);
        w.Tt("TTL", 1);
        w.Tt("AutoStart", false);
        w.WriteEndElement();
        w.Tt("SessionTimeout", $"PT{_rtsp.Settings.SessionTimeoutSeconds}S");
        w.WriteEndElement();
    }

    private void GetVideoEncoderConfigurationOptions(OnvifCall call, XmlDocumentWriter w)
    {
        // Options for the encoder named, or the profile's, or every encoder.
        List<Profile> profiles = call.Request.Parameter("ConfigurationToken") != null ? [FindEncoder(call)]
            : call.Request.Parameter("ProfileToken") != null ? [FindProfile(call)]
            : Profiles().ToList();
        var shape = _camera.Shape;
        Respond(w, "GetVideoEncoderConfigurationOptionsResponse", () =>
        {
            w.StartTrt("Options");
            w.Range("QualityRange", 1, 100);
            foreach (var profile in profiles)
            {
                w.StartTt(profile == Jpeg ? "JPEG" : "H264");
                w.Resolution("ResolutionsAvailable", shape.Width, shape.Height);
                if (profile == H264) w.Range("GovLengthRange", 1, 1000);
                w.Range("FrameRateRange", 1, shape.Fps);
                w.Range("EncodingIntervalRange", 1, 1);
                if (profile == H264) w.Tt("H264ProfilesSupported", _camera.Settings.DeliversH264 ? "Main"
                    : OnvifProfileName(_camera.Settings.H264OrDefault().Profile));
                w.WriteEndElement();
            }
            w.WriteEndElement();
        });
    }

    private static string OnvifProfileName(string profile) => profile switch
    {
        "high" => "High",
        "main" => "Main",
        _ => "Baseline",
    };

    private void GetStreamUri(OnvifCall call, XmlDocumentWriter w)
    {
        var profile = FindProfile(call);
        if (call.Request.Parameter("Stream") == "RTP-Multicast")
            throw SoapFault.InvalidArgument("ter:InvalidStreamSetup", "Multicast is not supported.");
        string uri;
        if (call.Request.Parameter("Protocol") == "HTTP")
        {
            if (profile != Jpeg) throw SoapFault.InvalidArgument("ter:InvalidStreamSetup", "H.264 is streamed over RTSP only.");
            uri = $"http://{call.Host}/stream.mjpg";
        }
        else
        {
            if (_rtsp.Port == 0)
                throw new SoapFault("s:Receiver", "The RTSP server is not running.", "ter:Action", "ter:StreamingNotAvailable");
            uri = $"rtsp://{call.HostName}:{_rtsp.Port}{profile.RtspPath}";
        }
        Respond(w, "GetStreamUriResponse", () => WriteMediaUri(w, uri));
    }

    private static void WriteMediaUri(XmlDocumentWriter w, string uri)
    {
        w.StartTrt("MediaUri");
        w.Tt("Uri", uri);
        w.Tt("InvalidAfterConnect", false);
        w.Tt("InvalidAfterReboot", false);
        w.Tt("Timeout", "PT0S");
        w.WriteEndElement();
    }

    private void GetGuaranteedNumberOfVideoEncoderInstances(OnvifCall call, XmlDocumentWriter w)
    {
        string? token = call.Request.Parameter("ConfigurationToken");
        if (token != SourceConfigToken)
            throw SoapFault.InvalidArgument("ter:NoConfig", $"No video source configuration with token '{token}'.");
        // Every RTSP session is a stream of its own; the frames are encoded once for all of them.
        int sessions = _rtsp.Settings.MaxSessions;
        Respond(w, "GetGuaranteedNumberOfVideoEncoderInstancesResponse", () =>
        {
            w.Trt("TotalNumber", sessions);
            if (Profiles().Contains(Jpeg)) w.Trt("JPEG", sessions);
            if (Profiles().Contains(H264)) w.Trt("H264", sessions);
        });
    }
}
