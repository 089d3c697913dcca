namespace Edge.Monitoring;

/// <summary>
/// The thermal zones below <c>ROOT/sys/class/thermal</c> (<c>thermal_zoneN</c>, each with a <c>type</c>
/// such as "cpu-thermal" and a <c>temp</c> in millidegrees). They are listed once: zones belong to the
/// hardware and do not come and go. A board without any simply has no temperatures.
/// </summary>
public sealed class ThermalZones
{
    private readonly string[] _names;
    private readonly string?[] _types;
    private readonly string[] _tempPaths;

    public ThermalZones(string root)
    {
        string directory = Path.Join(root, "sys/class/thermal");
        string[] found;
        try
        {
            // Entries are symbolic links to the devices' directories.
            found = Directory.GetFileSystemEntries(directory, "thermal_zone*");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            found = [];
        }
        Array.Sort(found, static (a, b) => Number(a).CompareTo(Number(b)));
        _names = new string[found.Length];
        _types = new string?[found.Length];
        _tempPaths = new string[found.Length];
        for (int i = 0; i < found.Length; i++)
        {
            _names[i] = Path.GetFileName(found[i]);
            _tempPaths[i] = Path.Join(found[i], "temp");
            try { _types[i] = File.ReadAllText(Path.Join(found[i], "type")).Trim(); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
    }

    public int Count => _names.Length;

    /// <summary>Each zone's temperature now; a zone whose sensor cannot be read at the moment is left out.</summary>
    public Temperature[] Read(KernelFiles files)
    {
        if (_names.Length == 0) return [];
        var temperatures = new List<Temperature>(_names.Length);
        for (int i = 0; i < _names.Length; i++)
        {
            if (files.TryRead(_tempPaths[i], out var text) && AsciiFields.NextLong(ref text, out long millidegrees))
                temperatures.Add(new Temperature(_names[i], _types[i], Math.Round(millidegrees / 1000.0, 1)));
        }
        return temperatures.ToArray();
    }

    private static int Number(string path)
    {
        var name = Path.GetFileName(path.AsSpan());
        return int.TryParse(name["thermal_zone".Length..], out int number) ? number : int.MaxValue;
    }
}
