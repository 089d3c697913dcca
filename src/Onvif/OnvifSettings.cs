using Edge.Runtime;

namespace Edge.Onvif;

/// <summary>The <c>Onvif</c> section.</summary>
public sealed class OnvifSettings
{
    /// <summary>Serves the ONVIF device and media services (and, with <see cref="Discovery"/>, WS-Discovery).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The camera's name in NVRs (the <c>name</c> scope); empty: the host name.</summary>
    public string Name { get; set; } = "";

    /// <summary>Where the camera is (the <c>location</c> scope), e.g. <c>garage</c>; empty: no location scope.</summary>
    public string Location { get; set; } = "";

    /// <summary>Answers WS-Discovery probes and announces itself (Hello/Bye) on the local network.</summary>
    public bool Discovery { get; set; } = true;

    /// <summary>UDP port of WS-Discovery. ONVIF clients only use 3702; tests pick a free one with 0.</summary>
    public int DiscoveryPort { get; set; } = 3702;

    /// <summary>SOAP requests one address may send a second (bursts of twice as many); more get 429 before any parsing.</summary>
    public int RequestsPerSecondPerAddress { get; set; } = 20;

    public string? Validate()
    {
        if (RequestsPerSecondPerAddress is < 1 or > 10_000)
            return $"RequestsPerSecondPerAddress must be between 1 and 10000 (got {RequestsPerSecondPerAddress})";
        if (Name.Length > 64 || Chars.Any(Name, char.IsControl)) return "Name must be at most 64 characters without control characters";
        if (Location.Length > 64 || Chars.Any(Location, char.IsControl))
            return "Location must be at most 64 characters without control characters";
        if (DiscoveryPort is < 0 or > 65535) return $"DiscoveryPort must be between 0 and 65535 (got {DiscoveryPort})";
        return null;
    }
}
