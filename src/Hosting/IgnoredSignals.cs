using System.Globalization;

namespace Edge.Hosting;

/// <summary>
/// Signals this process ignores. Started under <c>nohup</c> it inherits SIG_IGN for SIGHUP (and a shell's
/// background job for SIGINT), which .NET keeps, so <c>kill -HUP</c> reloads nothing; Edge says so at start.
/// </summary>
internal static class IgnoredSignals
{
    public const int Hangup = 1, Interrupt = 2;

    public static bool Contains(int signal)
    {
        try { return Contains(File.ReadAllText("/proc/self/status"), signal); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
    }

    /// <summary>Reads the <c>SigIgn:</c> line of a <c>/proc/PID/status</c> text: a hex mask, signal n at bit n − 1.</summary>
    public static bool Contains(string status, int signal)
    {
        foreach (var line in status.AsSpan().EnumerateLines())
        {
            if (!line.StartsWith("SigIgn:")) continue;
            return ulong.TryParse(line["SigIgn:".Length..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out ulong mask)
                && (mask & (1UL << (signal - 1))) != 0;
        }
        return false;
    }
}
