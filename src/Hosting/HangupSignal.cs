using System.Globalization;

namespace Edge.Hosting;

/// <summary>
/// Whether this process ignores SIGHUP. Started under <c>nohup</c> (or by anything that ignores the
/// signal) it inherits SIG_IGN, which .NET keeps, so <c>kill -HUP</c> reloads nothing; Edge says so at start.
/// </summary>
internal static class HangupSignal
{
    /// <summary>SIGHUP's bit in the <c>SigIgn:</c> mask of <c>/proc/self/status</c> (signal 1, bit 0).</summary>
    private const ulong Bit = 1;

    public static bool IsIgnored()
    {
        try { return IsIgnored(File.ReadAllText("/proc/self/status")); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
    }

    /// <summary>Reads the <c>SigIgn:</c> line of a <c>/proc/PID/status</c> text (hex mask).</summary>
    public static bool IsIgnored(string status)
    {
        foreach (var line in status.AsSpan().EnumerateLines())
        {
            if (!line.StartsWith("SigIgn:")) continue;
            return ulong.TryParse(line["SigIgn:".Length..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out ulong mask) && (mask & Bit) != 0;
        }
        return false;
    }
}
