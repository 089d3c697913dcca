using System.Text.Json;
using Edge.Camera;
using Edge.Gpio;
using Edge.Monitoring;
using Edge.Onvif;
using Edge.State;
using Edge.Streaming;
using Edge.Web;
using Edge.Auth;
using Edge.Files;
using Edge.Motion;
using Edge.Mqtt;
using Edge.Streaming.WebRtc;
using Edge.Recording;
using Edge.Web.Tls;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Edge.Hosting;

/// <summary>
/// Binds <see cref="EdgeSettings"/> from configuration (source-generated binder) and checks every
/// value, so a mistake is reported once, by key, instead of misbehaving later.
/// </summary>
public static class SettingsLoader
{
    // What may stand at the top of the configuration ("Config" is EDGE_CONFIG seen through the EDGE_ prefix).
    private static readonly HashSet<string> TopLevel = new(StringComparer.OrdinalIgnoreCase) { "DataDir", "Auth", "Http", "WebSocket",
        "Runtime", "Camera", "H264", "Rtsp", "Onvif", "Journal", "Files", "Https", "Gpio", "Monitoring", "Recording", "Motion", "Mqtt",
        "WebRtc", "Logging", "urls", "Config" };

    /// <summary>
    /// Why <paramref name="json"/>, as the configuration file beside <paramref name="commandLine"/>'s
    /// other sources, would not start Edge; null when it would. Blocking (PUT /config runs it on the pool).
    /// </summary>
    public static string? ProblemWith(CommandLine commandLine, byte[] json)
    {
        try
        {
            using (var document = JsonDocument.Parse(json))
            {
                if (document.RootElement.ValueKind != JsonValueKind.Object) return "the configuration must be a JSON object.";
            }
            Load(EdgeConfiguration.Build(new ConfigurationManager(), commandLine, json));
            return null;
        }
        catch (JsonException e)
        {
            return $"not valid JSON: {e.Message}";
        }
        catch (ConfigException e)
        {
            return e.Message;
        }
    }

    public static EdgeSettings Load(IConfiguration configuration)
    {
        foreach (var section in configuration.GetChildren())
            if (!TopLevel.Contains(section.Key))
                throw new ConfigException($"unknown setting '{section.Key}' (known: {string.Join(", ", TopLevel.Order())}).");
        ValidateLogLevels(configuration.GetSection("Logging:LogLevel"));
        ValidateUrls(configuration["urls"]);
        var settings = new EdgeSettings
        {
            // Resolved here, once: file results and child processes need a rooted path, and the
            // working directory is the one Edge started in (it never changes it).
            DataDir = DataDirectory(configuration["DataDir"]),
            // One explicit call per section: the binder generator does not see through generic helpers.
            Auth = Bind("Auth", () => configuration.GetSection("Auth").Get<AuthSettings>(Strict)) ?? new(),
            Http = Bind("Http", () => configuration.GetSection("Http").Get<HttpSettings>(Strict)) ?? new(),
            WebSocket = Bind("WebSocket", () => configuration.GetSection("WebSocket").Get<WebSocketSettings>(Strict)) ?? new(),
            Runtime = Bind("Runtime", () => configuration.GetSection("Runtime").Get<RuntimeSettings>(Strict)) ?? new(),
            Camera = Bind("Camera", () => configuration.GetSection("Camera").Get<CameraSettings>(Strict)) ?? new(),
            Rtsp = Bind("Rtsp", () => configuration.GetSection("Rtsp").Get<RtspSettings>(Strict)) ?? new(),
            Onvif = Bind("Onvif", () => configuration.GetSection("Onvif").Get<OnvifSettings>(Strict)) ?? new(),
            Journal = Bind("Journal", () => configuration.GetSection("Journal").Get<JournalSettings>(Strict)) ?? new(),
            Files = Bind("Files", () => configuration.GetSection("Files").Get<FileSettings>(Strict)) ?? new(),
            Https = Bind("Https", () => configuration.GetSection("Https").Get<HttpsSettings>(Strict)) ?? new(),
            Gpio = Bind("Gpio", () => configuration.GetSection("Gpio").Get<GpioSettings>(Strict)) ?? new(),
            Monitoring = Bind("Monitoring", () => configuration.GetSection("Monitoring").Get<MonitoringSettings>(Strict)) ?? new(),
            Recording = Bind("Recording", () => configuration.GetSection("Recording").Get<RecordingSettings>(Strict)) ?? new(),
            Motion = Bind("Motion", () => configuration.GetSection("Motion").Get<MotionSettings>(Strict)) ?? new(),
            Mqtt = Bind("Mqtt", () => configuration.GetSection("Mqtt").Get<MqttSettings>(Strict)) ?? new(),
            WebRtc = Bind("WebRtc", () => configuration.GetSection("WebRtc").Get<WebRtcSettings>(Strict)) ?? new(),
        };
        // The H264 section stands on its own in the file; Edge keeps it with the camera settings, which camera.set saves.
        settings.Camera.H264 = Bind("H264", () => configuration.GetSection("H264").Get<H264Settings>(Strict)) ?? new();
        Validate(settings);
        return settings;
    }

    private static void Strict(BinderOptions options) => options.ErrorOnUnknownConfiguration = true;

    private static T? Bind<T>(string section, Func<T?> bind)
    {
        try
        {
            return bind();
        }
        catch (InvalidOperationException e)
        {
            throw new ConfigException($"{section}: {e.Message}", e);
        }
    }

    private static void Validate(EdgeSettings s)
    {
        Range("WebSocket:MaxClients", s.WebSocket.MaxClients, 1, 100_000);
        Range("WebSocket:SendTimeoutSeconds", s.WebSocket.SendTimeoutSeconds, 1, 3600);
        Range("WebSocket:MaxMessageBytes", s.WebSocket.MaxMessageBytes, 1024, 16 << 20);
        if (s.Http.Validate() is { } http) throw new ConfigException($"Http:{http}");
        Range("Runtime:Workers", s.Runtime.Workers, 0, 256);
        Range("Runtime:QueueCapacity", s.Runtime.QueueCapacity, 1, 100_000);
        if (s.Camera.H264?.Validate() is { } h264) throw new ConfigException(h264);
        if (s.Camera.Validate() is { } camera) throw new ConfigException($"Camera:{camera}");
        if (s.Rtsp.Validate() is { } rtsp) throw new ConfigException($"Rtsp:{rtsp}");
        if (s.Onvif.Validate() is { } onvif) throw new ConfigException($"Onvif:{onvif}");
        if (s.Journal.Validate() is { } journal) throw new ConfigException($"Journal:{journal}");
        if (s.Files.Validate() is { } files) throw new ConfigException($"Files:{files}");
        if (s.Https.Validate() is { } https) throw new ConfigException($"Https:{https}");
        if (s.Gpio.Validate() is { } gpio) throw new ConfigException($"Gpio:{gpio}");
        if (s.Monitoring.Validate() is { } monitoring) throw new ConfigException($"Monitoring:{monitoring}");
        if (s.Recording.Validate() is { } recording) throw new ConfigException($"Recording:{recording}");
        if (s.Motion.Validate() is { } motion) throw new ConfigException($"Motion:{motion}");
        if (s.Mqtt.Validate() is { } mqtt) throw new ConfigException($"Mqtt:{mqtt}");
        if (s.WebRtc.Validate() is { } webRtc) throw new ConfigException($"WebRtc:{webRtc}");
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < s.Auth.Users.Count; i++)
        {
            var user = s.Auth.Users[i];
            if (string.IsNullOrWhiteSpace(user.Name) || user.Name.Contains(':'))
                throw new ConfigException($"Auth:Users:{i}:Name must be a non-empty name without ':'.");
            if (!names.Add(user.Name))
                throw new ConfigException($"Auth:Users:{i}:Name '{user.Name}' appears twice.");
            if (UserRoles.Parse(user.Role) == null)
                throw new ConfigException($"Auth:Users:{i}:Role must be one of {string.Join(", ", UserRoles.Names)} (got '{user.Role}').");
            if (!PasswordHash.IsValid(user.PasswordHash))
                throw new ConfigException($"Auth:Users:{i}:PasswordHash is not a hash made by 'edge passwd'.");
            if (!string.IsNullOrEmpty(user.DigestHash) && !DigestAuth.IsValid(user.DigestHash))
                throw new ConfigException($"Auth:Users:{i}:DigestHash is not a hash made by 'edge passwd --digest {user.Name}'.");
            if (user.DevicePassword is { } device && device.Length is 0 or > 256)
                throw new ConfigException($"Auth:Users:{i}:DevicePassword must be 1 to 256 characters when present.");
        }
    }

    private static void ValidateLogLevels(IConfigurationSection levels)
    {
        foreach (var level in levels.GetChildren())
            if (!Enum.TryParse<LogLevel>(level.Value, ignoreCase: true, out _))
                throw new ConfigException($"{level.Path} must be one of {string.Join(", ", Enum.GetNames<LogLevel>())} " +
                    $"(got '{level.Value}').");
    }

    private static string DataDirectory(string? configured)
    {
        if (configured is not { Length: > 0 }) return EdgeSettings.DefaultDataDir;
        if (configured.Contains('\0')) throw new ConfigException("DataDir: a path cannot hold a NUL character.");
        return Path.GetFullPath(configured);
    }

    private static void ValidateUrls(string? urls)
    {
        if (urls == null) return;
        foreach (var url in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            BindingAddress address;
            try { address = BindingAddress.Parse(url); }
            catch (FormatException e) { throw new ConfigException($"urls: '{url}' is not an address to listen on: {e.Message}"); }
            if (address.Scheme != "http")
                throw new ConfigException($"urls: '{url}' must start with http:// (HTTPS is configured separately).");
        }
    }

    private static void Range(string key, int value, int min, int max)
    {
        if (value < min || value > max) throw new ConfigException($"{key} must be between {min} and {max} (got {value}).");
    }
}
