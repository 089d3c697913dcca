namespace Edge.Tests.Support;

/// <summary>
/// A temporary folder for a test class's files (configurations, data directories, pid files, logs),
/// deleted with everything in it when disposed.
/// </summary>
public sealed class ScratchFolder(string prefix) : IDisposable
{
    public string Root { get; } = Directory.CreateTempSubdirectory(prefix).FullName;

    /// <summary>The path of <paramref name="name"/> in the folder.</summary>
    public string PathOf(string name) => Path.Combine(Root, name);

    /// <summary>A path no other caller gets: <c>{name}-{guid}{extension}</c>, not created.</summary>
    public string NewPath(string name, string extension = "") => PathOf($"{name}-{Guid.NewGuid():N}{extension}");

    /// <summary>Writes <paramref name="content"/> to <paramref name="name"/> in the folder and returns its path.</summary>
    public string Write(string name, string content)
    {
        string path = PathOf(name);
        File.WriteAllText(path, content);
        return path;
    }

    /// <summary>Writes a configuration file of its own and returns its path.</summary>
    public string NewConfig(string json) => Write(Path.GetFileName(NewPath("edge", ".json")), json);

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
