using System.Reflection;
using Edge.Api;
using Edge.Auth;
using Edge.Camera;
using Edge.Files;
using Edge.Gpio.Chardev;
using Edge.Gpio.Memory;
using Edge.Gpio;
using Edge.Hosting;
using Edge.Monitoring;
using Edge.Motion;
using Edge.Mqtt;
using Edge.Onvif.Discovery;
using Edge.Onvif;
using Edge.Recording;
using Edge.Runtime;
using Edge.State;
using Edge.Streaming;
using Edge.Streaming.WebRtc;
using Edge.Video;
using Edge.Web.Tls;
using Edge.Web;
using Microsoft.Extensions.Logging;

namespace Edge;

/// <summary>The composition root: configuration → objects → host → run → shutdown. Nothing else constructs services.</summary>
public static partial class Program
{
    public static string Version { get; } =
        typeof(Program).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    public static async Task<int> Main(string[] args)
    {
        // First, before the heap grows: what is touched after this is backed by small pages.
        HugePages.Disable();
        try
        {
            var commandLine = CommandLine.Parse(args);
            switch (commandLine.Command)
            {
                case EdgeCommand.Help:
                    Console.Out.WriteLine(CommandLine.HelpText);
                    return 0;
                case EdgeCommand.Version:
                    Console.Out.WriteLine($"edge {Version}");
                    return 0;
                case EdgeCommand.Passwd:
                    return PasswdCommand.Run(commandLine.ConfigArgs, Console.In, Console.Out, Console.Error);
                case EdgeCommand.BenchEncode:
                    return await EncodeBenchCommand.Run(commandLine.ConfigArgs, Console.Out, Console.Error);
                case EdgeCommand.CodecCheck:
                    return await CodecCheckCommand.Run(commandLine.ConfigArgs, Console.Out, Console.Error);
                case EdgeCommand.CheckConfig:
                    var checkedSettings = SettingsLoader.Load(EdgeConfiguration.Build(new ConfigurationManager(), commandLine));
                    Console.Out.WriteLine($"edge: configuration is valid (data directory {checkedSettings.DataDir}).");
                    return 0;
            }
            await using var host = CreateHost(commandLine);
            return await host.RunAsync();
        }
        catch (ConfigException e)
        {
            Console.Error.WriteLine($"edge: invalid configuration: {e.Message}");
            return 2;
        }
        catch (Exception e)
        {
            // Port in use, no permission to bind, …: say why and exit non-zero for the init system.
            Console.Error.WriteLine($"edge: cannot run: {e.Message}");
            Console.Error.WriteLine(e);
            return 1;
        }
    }

    /// <summary>Builds a ready-to-start Edge; tests call this with their own arguments. Throws <see cref="ConfigException"/>.</summary>
    /// <param name="time">The clock of every timer, back-off and rate limit (tests pass a manual one).</param>
    public static EdgeHost CreateHost(CommandLine commandLine, Action<ILoggingBuilder>? logging = null, TimeProvider? time = null)
    {
        CertificateStore? certificates = null;
        var connections = new ConnectionTable();
        var httpConnections = new HttpConnectionCounter(connections);
        // Handshakes only come once the composition below has made the certificate store.
        var (app, settings, urls) = EdgeWebHost.Build(commandLine, logging, () => certificates!, httpConnections);
        var loggers = app.Services.GetRequiredService<ILoggerFactory>();
        var log = loggers.CreateLogger("Edge.Program");

        var loop = new EventLoop(loggers.CreateLogger<EventLoop>(), time);
        var pool = new WorkerPool(settings.Runtime.Workers > 0 ? settings.Runtime.Workers : Environment.ProcessorCount,
            settings.Runtime.QueueCapacity);
        var supervisor = new Supervisor(loop, loggers.CreateLogger<Supervisor>());
        var state = new StateStore(loop);
        var storage = new StorageHealth(loop.Time, loggers.CreateLogger<StorageHealth>());
        var journal = new EventJournal(loop, pool, Path.Combine(settings.DataDir, "events"), settings.Journal, storage,
            loggers.CreateLogger<EventJournal>());
        JournalSubscriptions.Wire(journal, state, supervisor);
        var users = new EffectiveUsers(log);
        var auth = new Authenticator(loop, pool, users.For(settings), loggers.CreateLogger<Authenticator>());
        if (!auth.Enabled) Log.AuthDisabled(log);
        var dispatcher = new ApiDispatcher(loop, auth, loggers.CreateLogger<ApiDispatcher>());
        new AuthMethods(auth).Register(dispatcher);
        new EventMethods(journal).Register(dispatcher);
        new SystemMethods(loop, pool, supervisor, Version, loop.Time.GetUtcNow()).Register(dispatcher);
        new StateMethods(state).Register(dispatcher);
        var monitor = new SystemMonitor(loop, pool, state, new SystemSampler("/", Environment.SystemPageSize), settings.Monitoring,
            settings.DataDir);
        var inspector = new RuntimeInspector(loop, pool, supervisor, connections, loop.Time.GetUtcNow());
        new MonitoringMethods(monitor, inspector).Register(dispatcher);

        var cameraFile = SavedCameraSettings.File(settings.DataDir);
        var cameraSettings = SavedCameraSettings.Load(cameraFile, settings.Camera, log);
        var camera = new CameraService(loop, pool, cameraSettings, s => CameraSources.Create(s, loggers),
            loggers.CreateLogger<CameraService>());
        var cameraStats = new CameraStats(loop, camera, state);
        supervisor.StatusChanged += info =>
        {
            if (info.Name == "camera") cameraStats.SetServiceStatus(info.Status);
        };
        new CameraMethods(camera, pool, cameraFile, storage).Register(dispatcher);
        var h264 = new H264Service(loop, pool, camera, state, loggers.CreateLogger<H264Service>());
        var live = new LiveMp4(loop, camera, state, loggers.CreateLogger<LiveMp4>());
        var recordings = new RecordingStore(Path.Combine(settings.DataDir, "recordings"), settings.Files);
        var recorder = new RecordingService(loop, pool, camera, h264, recordings, storage, journal, state, settings.Recording,
            loggers.CreateLogger<RecordingService>());
        new RecordingMethods(recorder, recordings, pool).Register(dispatcher);
        var hls = new HlsSegments(loop, live);

        // GPIO pins and motion with the snapshot action save pictures in DATA_DIR/files.
        var fileStore = new FileStore(Path.Combine(settings.DataDir, "files"), settings.Files, pool);
        var snapshots = new SnapshotFiles(loop, pool, camera, fileStore, storage, loggers.CreateLogger<SnapshotFiles>());
        var motionFile = SavedMotionSettings.File(settings.DataDir);
        var motion = new MotionService(loop, pool, camera, recorder, snapshots, state, journal,
            SavedSettings.Load(motionFile, settings.Motion, saved => saved.Validate(), log), loggers.CreateLogger<MotionService>());
        new MotionMethods(motion, pool, motionFile, storage).Register(dispatcher);
        IGpioChips gpioChips = settings.Gpio.Driver == "memory" ? new MemoryGpioChips() : new ChardevGpioChips();
        var gpio = new GpioService(loop, pool, state, gpioChips, settings.Gpio,
            new Dictionary<string, GpioActionHandler>
            {
                ["snapshot"] = SaveSnapshot,
                ["record"] = (edge, _) =>
                {
                    recorder.Trigger("gpio:" + edge.Pin);
                    return Task.CompletedTask;
                },
            }, loggers.CreateLogger<GpioService>());
        IrCutService? irCut = null;
        if (settings.Gpio.IrCut is { } irCutSettings)
        {
            var irCutFile = new SettingsFile<IrCutMode>(Path.Combine(settings.DataDir, IrCutMode.FileName),
                IrCutJsonContext.Default.IrCutMode);
            irCut = new IrCutService(loop, pool, gpio, state, irCutSettings, irCutFile, storage, loggers.CreateLogger<IrCutService>());
            irCut.LoadSaved();
        }
        var gpioEvents = loggers.CreateLogger("Edge.Gpio.Events");
        gpio.Edge += edge =>
        {
            Log.GpioEdge(gpioEvents, edge.Pin, edge.Edge);
            journal.Record("gpio.edge", edge, GpioJsonContext.Default.GpioEdgeEvent);
        };
        var gpioMethods = new GpioMethods(gpio);
        gpioMethods.Register(dispatcher);
        state.AddWriter(GpioService.StatePrefix, gpioMethods.WriteState);

        var hub = new SessionHub(loop, dispatcher, state, settings.WebSocket, connections, loggers.CreateLogger<SessionHub>());

        var api = new ApiEndpoints(loop, dispatcher, hub, auth);
        var health = new HealthEndpoints(loop, supervisor, storage);
        var ui = new StaticUi();
        var rtsp = new RtspServer(loop, camera, h264, auth, state, settings.Rtsp, Listeners.Addresses(settings.Rtsp.Address, urls),
            connections, loggers.CreateLogger<RtspServer>());
        rtsp.Listening += port => state.Publish("rtsp.port", port, StateJsonContext.Default.Int32);
        var cameraWeb = new CameraEndpoints(loop, camera, auth, connections, loggers.CreateLogger<CameraEndpoints>());
        var liveWeb = new LiveEndpoints(loop, camera, h264, live, auth, connections, loggers.CreateLogger<LiveEndpoints>());
        certificates = new CertificateStore(settings.DataDir, settings.Https,
            () => NetworkSnapshot.Read().Interfaces.SelectMany(i => i.IPv4).Select(a => a.Address), loop.Time,
            loggers.CreateLogger<CertificateStore>());
        int? httpsPort = null;
        var httpsPolicy = new HttpsPolicy(settings.Https,
            () => httpsPort ??= app.Urls.Select(u => new Uri(u)).First(u => u.Scheme == "https").Port);
        var metrics = new MetricsEndpoint(loop, auth,
            new EdgeMetrics(Version, loop, pool, supervisor, dispatcher, httpConnections, hub, cameraWeb, rtsp, camera, monitor, storage),
            settings.Monitoring);
        var runtime = new RuntimeEndpoint(loop, auth, inspector);
        var files = new FileEndpoints(loop, auth, fileStore, storage);
        EdgeHost? host = null;
        var config = new ConfigEndpoints(loop, pool, auth, EdgeConfiguration.FilePath(commandLine),
            json => SettingsLoader.ProblemWith(commandLine, json), () => host!.Reload(), loggers.CreateLogger<ConfigEndpoints>());
        string deviceId;
        try { deviceId = DeviceIdentity.LoadOrCreate(settings.DataDir); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException($"DataDir: cannot keep the device id in '{settings.DataDir}': {e.Message}", e);
        }
        var network = new HostNetwork(loop, pool, loggers.CreateLogger<HostNetwork>());
        // WebRTC's candidates: the address an offer came to, then every interface's (kept current by HostNetwork).
        var webRtc = new WebRtcServer(loop, pool, camera, h264, settings.WebRtc,
            () => network.Current.Interfaces.SelectMany(i => i.IPv4).Select(a => a.Address), loggers.CreateLogger<WebRtcServer>());
        webRtc.Listening += port => state.Publish("webrtc.port", port, StateJsonContext.Default.Int32);
        webRtc.SessionsChanged += count => state.Publish("webrtc.sessions", count, StateJsonContext.Default.Int32);
        webRtc.DropsChanged += drops => state.Publish("webrtc.drops", drops, StateJsonContext.Default.Int64);
        var scopes = OnvifScopes.From(settings.Onvif);
        bool discoverable = settings.Onvif.Enabled && settings.Onvif.Discovery;
        var media = new MediaService(camera, h264, rtsp);
        // ONVIF events: motion and GPIO inputs, as properties a pull point reports (their state first, then each change).
        var pullPoints = new PullPoints(loop, now => EventTopics.Motion(motion.Active, now, initialized: true)
            .Concat(gpio.Inputs().Select(input => EventTopics.Input(input.Name, input.Value == 1, now, initialized: true))));
        motion.ActiveChanged += active =>
        {
            foreach (var notification in EventTopics.Motion(active, loop.Time.GetUtcNow(), initialized: false))
                pullPoints.Publish(notification);
        };
        gpio.InputChanged += (name, value)
            => pullPoints.Publish(EventTopics.Input(name, value == 1, loop.Time.GetUtcNow(), initialized: false));
        var clientFaults = new PeerFaultLog(loggers.CreateLogger("Edge.ClientFaults"), loop.Time);
        var onvif = new OnvifEndpoints(loop, auth, clientFaults, new PeerBudget(loop.Time, settings.Onvif.RequestsPerSecondPerAddress),
        [
            new DeviceService(loop.Time, auth, rtsp, media, app.Lifetime, deviceId, Version, network, scopes, discoverable, irCut != null,
                loggers.CreateLogger<DeviceService>()),
            media,
            new EventsService(loop, pullPoints),
            new SubscriptionManagerService(loop, pullPoints),
            .. (irCut != null ? new IOnvifService[] { new ImagingService(irCut) } : []),
        ]);
        // Kestrel's addresses are known once it listens, before the services start.
        var discovery = new DiscoveryService(loop, network, scopes, DeviceIdentity.EndpointAddress(deviceId), () => app.Urls,
            settings.Onvif.DiscoveryPort, loggers.CreateLogger<DiscoveryService>());
        new EdgeRoutes(new RequestFaults(clientFaults, loggers.CreateLogger<RequestFaults>(), loop.Time), httpsPolicy, api, health, metrics,
            runtime, settings.Onvif.Enabled ? onvif : null, files, config, cameraWeb, liveWeb,
            new HlsEndpoints(loop, camera, h264, hls, auth), settings.WebRtc.Enabled ? new WhepEndpoints(loop, webRtc, auth) : null,
            settings.WebRtc.Enabled ? new Go2RtcSignalling(loop, webRtc, auth) : null,
            new RecordingEndpoints(loop, pool, auth, recordings), ui).MapTo(app);

        // The journal names the file, so the UI's event list links to it.
        async Task SaveSnapshot(GpioEdgeEvent edge, CancellationToken cancellationToken)
        {
            string path = await snapshots.Save(cancellationToken);
            journal.Record("camera.snapshot", new SavedSnapshot(Path.GetFileName(path), edge.Pin), CameraJsonContext.Default.SavedSnapshot);
        }
        var mqtt = new MqttService(loop, pool, camera, motion, state, settings.Gpio, settings.Mqtt, deviceId, scopes.Name, Version,
            loggers.CreateLogger<MqttService>());
        var services = new EdgeServices(new EdgeParts(loop, pool, supervisor, journal, storage, fileStore, camera, cameraStats, h264,
            live, hls, recorder, motion, mqtt, monitor, rtsp, webRtc, certificates, gpio, irCut, network, discovery, pullPoints), settings,
            loggers);

        var notifier = SystemdNotifier.FromEnvironment(loggers.CreateLogger<SystemdNotifier>());
        var pidFile = commandLine.PidFile is { } pidPath ? new PidFile(pidPath) : null;
        host = new EdgeHost(app, loop, pool, supervisor, hub, dispatcher, auth, users.For, commandLine, log, services, notifier, pidFile)
        {
            Gpio = gpio,
        };
        host.Reloaded += reloaded =>
        {
            certificates.Apply(reloaded.Https);
            mqtt.Apply(reloaded.Mqtt);
        };
        return host;
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning,
            Message = "Authentication is disabled by configuration (Auth:Enabled=false): anyone who can reach this port can use the API")]
        public static partial void AuthDisabled(ILogger logger);

        [LoggerMessage(Level = LogLevel.Information, Message = "GPIO {Pin}: {Edge} edge")]
        public static partial void GpioEdge(ILogger logger, string pin, string edge);
    }
}
