using Microsoft.Extensions.Logging;

namespace Edge.State;

/// <summary>
/// Settings a method changes at run time (<c>camera.set</c>, <c>motion.set</c>): what was saved in the
/// data directory wins over the configuration file, unless it cannot be read or no longer makes sense
/// (both logged, and the configured settings apply).
/// </summary>
public static partial class SavedSettings
{
    /// <summary>
    /// The saved settings, or <paramref name="configured"/>; <paramref name="problem"/> completes and checks
    /// what was saved.
    /// </summary>
    public static T Load<T>(SettingsFile<T> file, T configured, Func<T, string?> problem, ILogger logger) where T : class
    {
        if (file.Load(reason => Unreadable(logger, reason)) is not { } saved) return configured;
        if (problem(saved) is not { } wrong) return saved;
        Ignored(logger, file.Path, wrong);
        return configured;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Saved settings: {Problem}")]
    private static partial void Unreadable(ILogger logger, string problem);

    [LoggerMessage(Level = LogLevel.Error, Message = "Saved settings in {File} ignored: {Problem}")]
    private static partial void Ignored(ILogger logger, string file, string problem);
}
