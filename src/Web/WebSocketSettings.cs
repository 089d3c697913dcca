namespace Edge.Web;

/// <summary>The <c>WebSocket</c> section of the configuration.</summary>
public sealed class WebSocketSettings
{
    /// <summary>Sessions allowed at once; the next upgrade gets 503 <c>Server busy</c>.</summary>
    public int MaxClients { get; set; } = 50;

    /// <summary>A client whose socket accepts no data for this long is disconnected.</summary>
    public int SendTimeoutSeconds { get; set; } = 10;

    /// <summary>Largest request message; bigger ones get an error reply.</summary>
    public int MaxMessageBytes { get; set; } = 65536;
}
