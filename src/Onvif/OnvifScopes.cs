using System.Net;
using Edge.Runtime;

namespace Edge.Onvif;

/// <summary>A scope URI and whether it is fixed (the device's nature) rather than configurable.</summary>
public sealed record OnvifScope(string Uri, bool Fixed);

/// <summary>
/// The device's ONVIF scopes, which discovery and <c>GetScopes</c> both report: what it is (a video
/// encoder, Profile S), its name, hardware, location and MAC address. Values are URI-escaped.
/// </summary>
public sealed class OnvifScopes(string name, string hardware, string location)
{
    public const string Prefix = "onvif://www.onvif.org/";

    /// <summary>The scopes for the settings; reads the host and board names (blocking: call at start-up).</summary>
    public static OnvifScopes From(OnvifSettings settings)
        => new(settings.Name.Length > 0 ? settings.Name : Dns.GetHostName(), ReadHardwareModel(), settings.Location);

    public string Name => name;

    public IReadOnlyList<OnvifScope> For(NetworkSnapshot network)
    {
        var scopes = new List<OnvifScope>
        {
            new(Prefix + "type/video_encoder", true),
            new(Prefix + "Profile/Streaming", true),
            new(Prefix + "hardware/" + Uri.EscapeDataString(hardware), true),
            new(Prefix + "name/" + Uri.EscapeDataString(name), false),
        };
        if (location.Length > 0) scopes.Add(new(Prefix + "location/" + Uri.EscapeDataString(location), false));
        if (network.Primary is { Mac.Length: > 0 } primary) scopes.Add(new(Prefix + "mac/" + primary.Mac, true));
        return scopes;
    }

    // The board's model as the device tree (ARM boards) or DMI (PCs) names it, e.g. "Raspberry Pi 4 Model B Rev 1.4".
    private static string ReadHardwareModel()
    {
        foreach (var path in new[] { "/proc/device-tree/model", "/sys/class/dmi/id/product_name" })
        {
            try
            {
                string model = File.ReadAllText(path).Trim('\0', ' ', '\n');
                if (model.Length is > 0 and <= 64 && !Chars.Any(model, char.IsControl)) return model;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
        return "Edge";
    }
}
