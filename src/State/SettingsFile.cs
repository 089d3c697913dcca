using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Edge.State;

/// <summary>
/// Settings changed at run time (through the API) and kept in the data directory as JSON, replaced
/// atomically so a crash or power loss leaves the old or the new version, never a torn file.
/// </summary>
public sealed class SettingsFile<T>(string path, JsonTypeInfo<T> type) where T : class
{
    public string Path { get; } = path;

    /// <summary>
    /// The saved settings, or null when there are none; a file that cannot be read is reported through
    /// <paramref name="problem"/> and ignored. Temporary files left by a crash during a save are deleted.
    /// </summary>
    public T? Load(Action<string> problem)
    {
        try
        {
            AtomicFile.DeleteLeftovers(Path);
            return File.Exists(Path) ? JsonSerializer.Deserialize(File.ReadAllBytes(Path), type) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or NotSupportedException)
        {
            problem($"{Path} is unreadable and was ignored: {e.Message}");
            return null;
        }
    }

    /// <summary>Writes <paramref name="settings"/> durably. Blocking: call it on the worker pool.</summary>
    public void Save(T settings) => AtomicFile.Write(Path, JsonSerializer.SerializeToUtf8Bytes(settings, type));
}
