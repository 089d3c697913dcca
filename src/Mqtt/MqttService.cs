using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using Edge.Camera;
using Edge.Gpio;
using Edge.Motion;
using Edge.Runtime;
using Edge.State;
using Microsoft.Extensions.Logging;

namespace Edge.Mqtt;

/// <summary>
/// Edge on an MQTT broker (the supervised <c>mqtt</c>): state values as retained JSON under
/// <c>&lt;prefix&gt;/state/&lt;key&gt;</c> (motion, GPIO, camera status, system numbers, <c>user.*</c>),
/// <c>&lt;prefix&gt;/availability</c> (online, and offline as the will), the camera's picture on
/// <c>&lt;prefix&gt;/snapshot</c>, Home Assistant discovery, and commands on <c>&lt;prefix&gt;/set/&lt;key&gt;</c>
/// for GPIO outputs and <c>user.*</c> keys. Loop only.
/// </summary>
public sealed partial class MqttService
{
    /// <summary>The largest command payload: a <c>user.*</c> value's limit.</summary>
    public const int MaxCommandBytes = StateStore.MaxUserValueBytes;

    /// <summary>Commands being applied at once (a GPIO write takes a moment); more are refused.</summary>
    public const int MaxCommandsInFlight = 16;

    /// <summary>A larger picture is not published: it would take half the outbox (a 4K camera's best JPEGs).</summary>
    public const int MaxSnapshotBytes = 1024 * 1024;

    // Home Assistant's birth messages within this time are answered once.
    private static readonly TimeSpan RepublishDelay = TimeSpan.FromSeconds(1);

    // The state sent as it changes, and the system's numbers that change every second (at most every SensorSeconds).
    private static readonly string[] Mirrored =
        ["motion.active", "camera.status", "camera.video", GpioService.StatePrefix, StateStore.UserPrefix];
    private static readonly string[] Sensors = ["system.cpu", "system.memory", "system.temperatures", "system.disk"];
    private static readonly byte[] Online = "online"u8.ToArray();

    private readonly EventLoop _loop;
    private readonly CameraService _camera;
    private readonly StateStore _state;
    private readonly GpioSettings _gpio;
    private readonly string _deviceId, _deviceName, _version;
    private readonly ILogger _logger;
    private readonly MqttClient _client;
    private readonly RateLimitedLog _refusals;
    private readonly HashSet<string> _dueSensors = new(StringComparer.Ordinal);
    private TaskCompletionSource _changed = new();
    private CancellationTokenSource? _session;
    private HomeAssistantDiscovery _topics;
    private ITimer? _sensorTimer, _snapshotTimer;
    private IDisposable? _statusBeat;
    private bool _snapshotting, _temperatureDiscovered, _republishing, _snapshotTooLargeSaid;
    private int _commandsInFlight;
    private string _commandPrefix = "";

    public MqttService(EventLoop loop, WorkerPool pool, CameraService camera, MotionService motion, StateStore state, GpioSettings gpio,
        MqttSettings settings, string deviceId, string deviceName, string version, ILogger logger)
    {
        (_loop, _camera, _state, _gpio, _deviceId, _deviceName, _version, _logger) =
            (loop, camera, state, gpio, deviceId, deviceName, version, logger);
        _client = new MqttClient(loop, pool, logger);
        _refusals = new RateLimitedLog(logger, loop.Time, 10);
        Settings = settings;
        _topics = Topics(settings);
        _client.Connected += OnConnected;
        _client.StatusChanged += OnStatusChanged;
        _client.Received += OnReceived;
        _client.Drained += OnDrained;
        state.Changed += OnStateChanged;
        motion.ActiveChanged += active =>
        {
            if (active) _ = PublishSnapshot();
        };
    }

    public MqttSettings Settings { get; private set; }

    /// <summary>New settings from a reload: a changed broker or topic connects again.</summary>
    public void Apply(MqttSettings next)
    {
        _loop.VerifyAccess();
        if (next.SameAs(Settings)) return;
        Settings = next;
        _session?.Cancel();
        var changed = _changed;
        _changed = new TaskCompletionSource();
        changed.TrySetResult();
    }

    public async Task Run(CancellationToken cancellationToken)
    {
        _loop.VerifyAccess();
        while (true)
        {
            var changed = _changed.Task;
            var settings = Settings;
            _topics = Topics(settings);
            if (settings.Enabled)
            {
                using var session = _session = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                _commandPrefix = _topics.CommandTopic("");
                var subscriptions = new[] { _commandPrefix + "+", settings.DiscoveryPrefix + "/status" };
                // Letters and digits only: the client ids every 3.1.1 broker must accept.
                var mqttSession = new MqttSession(settings, "edge" + _deviceId, _topics.AvailabilityTopic, subscriptions);
                try { await _client.Run(mqttSession, session.Token); }
                finally
                {
                    _session = null;
                    StopTimers();
                }
            }
            PublishStatus();
            await changed.WaitAsync(cancellationToken);
        }
    }

    private HomeAssistantDiscovery Topics(MqttSettings settings)
        => new(settings.DiscoveryPrefix, settings.TopicPrefix.Length > 0 ? settings.TopicPrefix : "edge/" + _deviceId, _deviceId,
            _deviceName, _version);

    // A new session: the broker learns everything again (it may have restarted without its retained messages).
    private void OnConnected()
    {
        StopTimers();
        _client.Publish(_topics.AvailabilityTopic, Online, retain: true);
        PublishAll();
        // What waits for the broker, in the status once a second.
        _statusBeat = _loop.Heartbeat.Subscribe(PublishStatus);
        var sensorEvery = TimeSpan.FromSeconds(Settings.SensorSeconds);
        _sensorTimer = _loop.CreateTimer(PublishDueSensors, sensorEvery, sensorEvery);
        if (Settings.SnapshotSeconds > 0)
        {
            var snapshotEvery = TimeSpan.FromSeconds(Settings.SnapshotSeconds);
            _snapshotTimer = _loop.CreateTimer(() => _ = PublishSnapshot(), TimeSpan.Zero, snapshotEvery);
        }
        else
        {
            _ = PublishSnapshot();
        }
    }

    private void PublishAll()
    {
        if (Settings.Discovery) PublishDiscovery();
        foreach (var entry in _state.Entries)
        {
            if (IsMirrored(entry.Key) || (IsSensor(entry.Key) && IsReading(entry)))
                _client.Publish(_topics.StateTopic(entry.Key), entry.Json, retain: true);
        }
        _dueSensors.Clear();
    }

    private void PublishDiscovery()
    {
        _temperatureDiscovered = HasTemperature();
        var pins = _gpio.Pins.Select(p => new DiscoveredPin(p.Name, p.Direction == "output"));
        foreach (var (topic, json) in _topics.Documents(pins, _temperatureDiscovered)) _client.Publish(topic, json, retain: true);
    }

    private bool HasTemperature()
        => _state.TryGet("system.temperatures", out var entry) && entry.Json.Length > 2; // not "[]"

    private void OnStatusChanged()
    {
        if (!_client.IsConnected) StopTimers();
        PublishStatus();
    }

    private void StopTimers()
    {
        _sensorTimer?.Dispose();
        _snapshotTimer?.Dispose();
        _statusBeat?.Dispose();
        (_sensorTimer, _snapshotTimer, _statusBeat) = (null, null, null);
    }

    private void OnStateChanged(StateEntry entry)
    {
        if (!_client.IsConnected) return;
        if (IsMirrored(entry.Key)) _client.Publish(_topics.StateTopic(entry.Key), entry.Json, retain: true);
        else if (IsSensor(entry.Key))
        {
            _dueSensors.Add(entry.Key);
            // A board whose thermal zones showed up after the documents were sent gets its temperature sensor now.
            if (entry.Key == "system.temperatures" && Settings.Discovery && !_temperatureDiscovered && HasTemperature()) PublishDiscovery();
        }
    }

    private void PublishDueSensors()
    {
        if (!_client.IsConnected) return;
        foreach (string key in _dueSensors)
        {
            if (_state.TryGet(key, out var entry) && IsReading(entry)) _client.Publish(_topics.StateTopic(key), entry.Json, retain: true);
        }
        _dueSensors.Clear();
    }

    private static bool IsMirrored(string key)
    {
        foreach (string mirrored in Mirrored)
        {
            if (mirrored.EndsWith('.') ? key.StartsWith(mirrored, StringComparison.Ordinal) : key == mirrored) return true;
        }
        return false;
    }

    private static bool IsSensor(string key) => Array.IndexOf(Sensors, key) >= 0;

    // The CPU is null until two samples were taken: Home Assistant's templates would fail on it.
    private static bool IsReading(StateEntry entry) => !entry.Json.AsSpan().SequenceEqual("null"u8);

    // One picture at a time, copied: the outbox may hold it until a slow broker takes it.
    private async Task PublishSnapshot()
    {
        if (_snapshotting || !_client.IsConnected || _camera.JpegUnavailable != null) return;
        _snapshotting = true;
        try
        {
            var frame = await _camera.Snapshot(CancellationToken.None);
            if (frame == null) return;
            try
            {
                if (frame.Length <= MaxSnapshotBytes) _client.Publish(_topics.SnapshotTopic, frame.Data.ToArray(), retain: true);
                else if (!_snapshotTooLargeSaid)
                {
                    _snapshotTooLargeSaid = true;
                    Log.SnapshotTooLarge(_logger, frame.Length / 1024, MaxSnapshotBytes / 1024);
                }
            }
            finally
            {
                frame.Release();
            }
        }
        catch (CameraException e)
        {
            Log.NoSnapshot(_logger, e.Message);
        }
        finally
        {
            _snapshotting = false;
        }
    }

    private void OnReceived(MqttPublish message)
    {
        if (message.Topic == Settings.DiscoveryPrefix + "/status")
        {
            // Home Assistant started again: it needs the documents and the state once more.
            if (message.Payload.Span.SequenceEqual(Online)) _ = RepublishSoon();
            return;
        }
        // An empty message is how a retained one is cleared, not a command.
        if (!message.Topic.StartsWith(_commandPrefix, StringComparison.Ordinal) || message.Payload.IsEmpty) return;
        string key = message.Topic[_commandPrefix.Length..];
        if (message.Retained)
        {
            // Applied when sent, not again at every reconnect (a retained "open the gate" would be).
            if (_refusals.Admit()) Log.RetainedCommand(_logger, message.Topic);
            return;
        }
        string? problem = _commandsInFlight >= MaxCommandsInFlight
            ? $"{MaxCommandsInFlight} commands are being applied already"
            : CommandProblem(key, message.Payload.Length);
        JsonElement value = default;
        if (problem == null && !TryParse(key, message.Payload.Span, out value)) problem = "the payload is not JSON";
        if (problem != null)
        {
            if (_refusals.Admit()) Log.CommandRefused(_logger, message.Topic, problem);
            return;
        }
        _ = ApplyCommand(message.Topic, key, value);
    }

    private static string? CommandProblem(string key, int length)
    {
        bool settable = key.StartsWith(GpioService.StatePrefix, StringComparison.Ordinal)
            || key.StartsWith(StateStore.UserPrefix, StringComparison.Ordinal);
        if (!settable)
            return "only GPIO outputs (gpio.<pin>) and user.* keys can be set over MQTT";
        if (length > MaxCommandBytes) return $"the payload is larger than {MaxCommandBytes} bytes";
        return null;
    }

    // JSON, or for a user.* key any UTF-8 text as a string (what a text box in a dashboard sends).
    private static bool TryParse(string key, ReadOnlySpan<byte> payload, out JsonElement value)
    {
        try
        {
            var reader = new Utf8JsonReader(payload);
            if (JsonElement.TryParseValue(ref reader, out var parsed) && reader.BytesConsumed == payload.Length)
            {
                value = parsed.Value;
                return true;
            }
        }
        catch (JsonException) { } // not JSON
        value = default;
        if (!key.StartsWith(StateStore.UserPrefix, StringComparison.Ordinal) || !Utf8.IsValid(payload)) return false;
        value = JsonSerializer.SerializeToElement(Encoding.UTF8.GetString(payload), StateJsonContext.Default.String);
        return true;
    }

    private async Task ApplyCommand(string topic, string key, JsonElement value)
    {
        _commandsInFlight++;
        try { await _state.SetFromClient(key, value); }
        catch (StateException e)
        {
            if (_refusals.Admit()) Log.CommandRefused(_logger, topic, e.Message);
        }
        finally
        {
            _commandsInFlight--;
        }
    }

    // A flood of birth messages (anyone may publish one) costs one republish a second.
    private async Task RepublishSoon()
    {
        if (_republishing) return;
        _republishing = true;
        try
        {
            await _loop.Delay(RepublishDelay);
            if (_client.IsConnected) PublishAll();
        }
        finally
        {
            _republishing = false;
        }
    }

    // The values that did not fit while the broker was slow, as they are now.
    private void OnDrained(string[] topics)
    {
        string statePrefix = _topics.StateTopic("");
        foreach (string topic in topics)
        {
            if (topic.StartsWith(statePrefix, StringComparison.Ordinal) && _state.TryGet(topic[statePrefix.Length..], out var entry))
                _client.Publish(topic, entry.Json, retain: true);
        }
    }

    private void PublishStatus()
    {
        var settings = Settings;
        _state.PublishWritten("mqtt.status", w =>
        {
            w.WriteStartObject();
            w.WriteString("state", !settings.Enabled ? "off" : _client.IsConnected ? "connected" : "connecting");
            if (settings.Enabled) w.WriteString("broker", $"{settings.Host}:{settings.EffectivePort}");
            if (settings.Enabled && _client.Problem is { } problem) w.WriteString("error", problem);
            w.WriteNumber("dropped", _client.Dropped);
            var (queued, queuedBytes) = _client.Queued;
            w.WriteNumber("queued", queued);
            w.WriteNumber("queuedBytes", queuedBytes);
            w.WriteEndObject();
        });
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT: command on {Topic} refused: {Problem}")]
        public static partial void CommandRefused(ILogger logger, string topic, string problem);

        [LoggerMessage(Level = LogLevel.Information,
            Message = "MQTT: a retained command on {Topic} was ignored (commands apply when sent, not at every reconnect)")]
        public static partial void RetainedCommand(ILogger logger, string topic);

        [LoggerMessage(Level = LogLevel.Warning,
            Message = "MQTT: the camera's pictures ({Kilobytes} KB) are larger than {Max} KB and are not published: Home Assistant's "
                + "generic camera can show /snapshot.jpg instead (said once)")]
        public static partial void SnapshotTooLarge(ILogger logger, int kilobytes, int max);

        [LoggerMessage(Level = LogLevel.Debug, Message = "MQTT: no snapshot to publish: {Problem}")]
        public static partial void NoSnapshot(ILogger logger, string problem);
    }
}
