using Edge.State;
using Microsoft.Extensions.Logging;

namespace Edge.Camera;

/// <summary>
/// The camera settings Edge starts with: what <c>camera.set</c> saved in <c>DATA_DIR/camera.json</c>, or
/// the configured ones.
/// </summary>
public static class SavedCameraSettings
{
    public const string FileName = "camera.json";

    public static SettingsFile<CameraSettings> File(string dataDir)
        => new(Path.Combine(dataDir, FileName), CameraJsonContext.Default.CameraSettings);

    public static CameraSettings Load(SettingsFile<CameraSettings> file, CameraSettings configured, ILogger logger)
        => SavedSettings.Load(file, configured, saved =>
        {
            // Saved before H.264 settings were part of it: the configured ones apply.
            saved.H264 ??= configured.H264?.Clone();
            return saved.Validate();
        }, logger);
}
