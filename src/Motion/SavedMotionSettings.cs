using Edge.State;

namespace Edge.Motion;

/// <summary>Where <c>motion.set</c> keeps its settings: <c>DATA_DIR/motion.json</c>, which wins over the <c>Motion</c> section.</summary>
public static class SavedMotionSettings
{
    public const string FileName = "motion.json";

    public static SettingsFile<MotionSettings> File(string dataDir)
        => new(Path.Combine(dataDir, FileName), MotionJsonContext.Default.MotionSettings);
}
