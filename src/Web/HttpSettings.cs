namespace Edge.Web;

/// <summary>The <c>Http</c> section: Kestrel's limits against clients that hold connections open.</summary>
public sealed class HttpSettings
{
    /// <summary>A request's headers must arrive within this; slower clients (slowloris) get 408 and are closed.</summary>
    public int HeadersTimeoutSeconds { get; set; } = 10;

    /// <summary>An idle keep-alive connection is closed after this.</summary>
    public int KeepAliveTimeoutSeconds { get; set; } = 120;

    /// <summary>Open HTTP and HTTPS connections at once; past this new ones are refused. Each costs memory on a small board.</summary>
    public int MaxConnections { get; set; } = 2048;

    public string? Validate()
    {
        if (HeadersTimeoutSeconds is < 1 or > 600) return $"HeadersTimeoutSeconds must be between 1 and 600 (got {HeadersTimeoutSeconds})";
        if (KeepAliveTimeoutSeconds is < 1 or > 3600)
            return $"KeepAliveTimeoutSeconds must be between 1 and 3600 (got {KeepAliveTimeoutSeconds})";
        if (MaxConnections is < 16 or > 100_000) return $"MaxConnections must be between 16 and 100000 (got {MaxConnections})";
        return null;
    }
}
