using Edge.Runtime;

namespace Edge.Mqtt;

/// <summary>
/// The <c>Mqtt</c> section: the broker Edge publishes its state to and takes commands from (Home
/// Assistant's Mosquitto, for one). Off while <see cref="Host"/> is empty. A reload applies changes.
/// </summary>
public sealed class MqttSettings
{
    public const int MaxTopicPrefixLength = 100;

    /// <summary>The broker's name or address; empty: no MQTT.</summary>
    public string Host { get; set; } = "";

    /// <summary>0: 1883, or 8883 with <see cref="Tls"/>.</summary>
    public int Port { get; set; }

    public string Username { get; set; } = "";

    public string Password { get; set; } = "";

    /// <summary>Connects with TLS, checking the broker's certificate against the system's CAs or <see cref="CaFile"/>.</summary>
    public bool Tls { get; set; }

    /// <summary>A PEM file of the CA (or self-signed certificate) the broker's certificate must chain to; empty: the system's.</summary>
    public string CaFile { get; set; } = "";

    /// <summary>The root of Edge's topics; empty: <c>edge/&lt;device id&gt;</c>.</summary>
    public string TopicPrefix { get; set; } = "";

    /// <summary>Publishes Home Assistant discovery documents, so the camera appears there as one device.</summary>
    public bool Discovery { get; set; } = true;

    /// <summary>Home Assistant's discovery prefix (its MQTT integration's setting).</summary>
    public string DiscoveryPrefix { get; set; } = "homeassistant";

    /// <summary>Seconds between the pings that tell the broker (and Edge) that the connection lives.</summary>
    public int KeepAliveSeconds { get; set; } = 30;

    /// <summary>A picture is published to <c>&lt;prefix&gt;/snapshot</c> when motion starts and this often; 0: only on motion.</summary>
    public int SnapshotSeconds { get; set; } = 60;

    /// <summary>
    /// The system's numbers (CPU, memory, disk, temperature) are published at most this often: Home Assistant records each.
    /// </summary>
    public int SensorSeconds { get; set; } = 30;

    internal bool Enabled => Host.Length > 0;

    internal int EffectivePort => Port != 0 ? Port : Tls ? 8883 : 1883;

    public string? Validate()
    {
        if (Host.Length > 253 || Chars.Any(Host, c => char.IsWhiteSpace(c) || char.IsControl(c)))
            return $"Host must be a host name or address (got '{Host}')";
        if (Port is < 0 or > 65535) return $"Port must be between 1 and 65535, or 0 for the default (got {Port})";
        // The client id, user name and password are UTF-8 strings of at most 65535 bytes in CONNECT.
        if (Username.Length > 1024 || Password.Length > 1024) return "Username and Password must be at most 1024 characters";
        if (Password.Length > 0 && Username.Length == 0) return "Password needs a Username (MQTT 3.1.1 sends no password alone)";
        if (CaFile.Length > 0 && !Tls) return "CaFile applies with Tls only";
        if (TopicPrefix.Length > MaxTopicPrefixLength || !IsTopic(TopicPrefix))
            return $"TopicPrefix must be at most {MaxTopicPrefixLength} characters without '+', '#', spaces or a leading or trailing '/' "
                + $"(got '{TopicPrefix}')";
        if (DiscoveryPrefix.Length is 0 or > MaxTopicPrefixLength || !IsTopic(DiscoveryPrefix))
            return $"DiscoveryPrefix must be 1 to {MaxTopicPrefixLength} characters without '+', '#', spaces or a leading or trailing '/' "
                + $"(got '{DiscoveryPrefix}')";
        if (KeepAliveSeconds is < 5 or > 3600) return $"KeepAliveSeconds must be between 5 and 3600 (got {KeepAliveSeconds})";
        if (SensorSeconds is < 1 or > 3600) return $"SensorSeconds must be between 1 and 3600 (got {SensorSeconds})";
        if (SnapshotSeconds is < 0 or > 86400) return $"SnapshotSeconds must be between 0 and 86400 (got {SnapshotSeconds})";
        return null;
    }

    internal bool SameAs(MqttSettings other)
        => (Host, Port, Username, Password, Tls, CaFile, TopicPrefix, Discovery, DiscoveryPrefix)
            == (other.Host, other.Port, other.Username, other.Password, other.Tls, other.CaFile, other.TopicPrefix, other.Discovery,
                other.DiscoveryPrefix)
            && (KeepAliveSeconds, SensorSeconds, SnapshotSeconds) == (other.KeepAliveSeconds, other.SensorSeconds, other.SnapshotSeconds);

    // Wildcards would make Edge's own subscription match other clients' topics.
    private static bool IsTopic(string topic)
        => !Chars.Any(topic, c => c is '+' or '#' || char.IsWhiteSpace(c) || char.IsControl(c))
            && !topic.StartsWith('/') && !topic.EndsWith('/') && !topic.Contains("//", StringComparison.Ordinal);
}
