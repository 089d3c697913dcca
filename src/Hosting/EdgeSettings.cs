using Edge.Camera;
using Edge.Gpio;
using Edge.Monitoring;
using Edge.Motion;
using Edge.Mqtt;
using Edge.Streaming.WebRtc;
using Edge.Recording;
using Edge.Onvif;
using Edge.State;
using Edge.Streaming;
using Edge.Web;
using Edge.Auth;
using Edge.Files;
using Edge.Web.Tls;

namespace Edge.Hosting;

/// <summary>Everything Edge reads from its configuration, validated.</summary>
public sealed class EdgeSettings
{
    public const string DefaultDataDir = "/var/lib/edge";

    public string DataDir { get; set; } = DefaultDataDir;

    public AuthSettings Auth { get; set; } = new();

    public HttpSettings Http { get; set; } = new();

    public WebSocketSettings WebSocket { get; set; } = new();

    public RuntimeSettings Runtime { get; set; } = new();

    public CameraSettings Camera { get; set; } = new();

    public RtspSettings Rtsp { get; set; } = new();

    public OnvifSettings Onvif { get; set; } = new();

    public JournalSettings Journal { get; set; } = new();

    public FileSettings Files { get; set; } = new();

    public HttpsSettings Https { get; set; } = new();

    public GpioSettings Gpio { get; set; } = new();

    public MonitoringSettings Monitoring { get; set; } = new();

    public RecordingSettings Recording { get; set; } = new();

    public MotionSettings Motion { get; set; } = new();

    public MqttSettings Mqtt { get; set; } = new();

    public WebRtcSettings WebRtc { get; set; } = new();
}

/// <summary>The <c>Runtime</c> section: the worker pool's size.</summary>
public sealed class RuntimeSettings
{
    /// <summary>Worker threads; 0 means one per processor.</summary>
    public int Workers { get; set; }

    /// <summary>Work items that may wait for a worker.</summary>
    public int QueueCapacity { get; set; } = 64;
}
