using System.Globalization;

namespace Edge.Streaming.WebRtc;

/// <summary>
/// Which of an offer's H.264 payload types carries the camera's stream: packetization mode 1 (Edge
/// sends FU-A), the camera's profile class if offered (RFC 6184 §8.2.2: the level may differ), else
/// Constrained Baseline (what every browser decodes, and what Firefox offers alone), else any.
/// </summary>
internal static class H264PayloadChoice
{
    private enum ProfileClass { Other, ConstrainedBaseline, Baseline, Main, ConstrainedHigh, High }

    /// <param name="profileIdc">The camera's SPS byte 1 (66 Baseline, 77 Main, 100 High).</param>
    /// <param name="constraints">The SPS's constraint flags (byte 2).</param>
    public static int? Choose(SdpMedia video, int profileIdc, int constraints)
    {
        var camera = Class(profileIdc, constraints);
        int? same = null, baseline = null, any = null;
        foreach (int pt in video.PayloadTypes)
        {
            bool h264 = video.Codecs.TryGetValue(pt, out string? codec) && codec.Equals("H264/90000", StringComparison.OrdinalIgnoreCase);
            if (!h264) continue;
            string format = video.Formats.GetValueOrDefault(pt, "");
            if (Parameter(format, "packetization-mode") != "1") continue;
            any ??= pt;
            if (Parameter(format, "profile-level-id") is not { Length: 6 } id
                || !int.TryParse(id.AsSpan(0, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int profile)) continue;
            var offered = Class(profile >> 8, profile & 0xFF);
            if (offered == camera) same ??= pt;
            if (offered == ProfileClass.ConstrainedBaseline) baseline ??= pt;
        }
        return same ?? baseline ?? any;
    }

    // libwebrtc's classes: constraint_set1 makes Baseline and Main constrained; constraint_set4 and 5 make High constrained.
    private static ProfileClass Class(int profileIdc, int constraints) => profileIdc switch
    {
        66 or 77 or 88 when (constraints & 0x40) != 0 => ProfileClass.ConstrainedBaseline,
        66 => ProfileClass.Baseline,
        77 => ProfileClass.Main,
        100 when (constraints & 0x0C) == 0x0C => ProfileClass.ConstrainedHigh,
        100 => ProfileClass.High,
        _ => ProfileClass.Other,
    };

    private static string? Parameter(string format, string name)
    {
        foreach (var part in format.AsSpan().Split(';'))
        {
            var pair = format.AsSpan(part).Trim();
            int equals = pair.IndexOf('=');
            if (equals > 0 && pair[..equals].Trim().Equals(name, StringComparison.OrdinalIgnoreCase))
                return pair[(equals + 1)..].Trim().ToString();
        }
        return null;
    }
}
