using Edge.State;
using Microsoft.Extensions.Logging;

namespace Edge.Camera;

/// <summary>
/// The camera settings Edge starts with: what <c>camera.set</c> saved in <c>DATA_DIR/camera.json</c>
/// wins over the configuration file, unless it cannot be read or no longer makes sense (both logged).
/// </summary>
public static partial class SavedCameraSettings
{
    public const string FileName = "camera.json";

    public static SettingsFile<CameraSettings> File(string dataDir)
        => new(Path.Combine(dataDir, FileName), CameraJsonContext.Default.CameraSettings);

    public static CameraSettings Load(SettingsFile<CameraSettings> file, CameraSettings configured, ILogger logger)
    {
        if (file.Load(problem => Unreadable(logger, problem)) is not { } saved) return configured;
        // Saved before H.264 settings were part of it: the configured ones apply.
        saved.H264 ??= configured.H264?.Clone();
        if (saved.Validate() is not { } problem) return saved;
        Ignored(logger, file.Path, problem);
        return configured;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Camera settings: {Problem}")]
    private static partial void Unreadable(ILogger logger, string problem);

    [LoggerMessage(Level = LogLevel.Error, Message = "Camera settings in {File} ignored: {Problem}")]
    private static partial void Ignored(ILogger logger, string file, string problem);
}
