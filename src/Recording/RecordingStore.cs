using System.Globalization;
using Edge.Files;

namespace Edge.Recording;

/// <summary>
/// The recordings folder (<c>DATA_DIR/recordings</c>): files named by their UTC start
/// (<c>20261205T141500Z.mp4</c>, <c>-2</c> … when two start in one second; <c>.avi</c> for a timelapse),
/// listed oldest first, and
/// pruned oldest first by age, by <c>Recording:MaxBytes</c> and so that <c>Files:ReserveBytes</c> stays
/// free. Blocking methods: call them on the pool.
/// </summary>
public sealed class RecordingStore(string directory, FileSettings files)
{
    private const string StampFormat = "yyyyMMdd'T'HHmmss'Z'";
    private const int StampLength = 16;

    public string Directory { get; } = directory;

    /// <summary>Bytes of the card recordings leave free (<c>Files:ReserveBytes</c>).</summary>
    public long ReserveBytes => files.ReserveBytes;

    public string PathOf(string name) => Path.Combine(Directory, name);

    /// <summary>A name not taken yet for a recording starting at <paramref name="start"/> (<c>.mp4</c> or <c>.avi</c>).</summary>
    public string NewName(DateTimeOffset start, string extension)
    {
        System.IO.Directory.CreateDirectory(Directory);
        string stamp = start.UtcDateTime.ToString(StampFormat, CultureInfo.InvariantCulture);
        string name = stamp + extension;
        for (int n = 2; File.Exists(PathOf(name)); n++) name = $"{stamp}-{n}{extension}";
        return name;
    }

    /// <summary>True for names this store makes (nothing else is served or deleted).</summary>
    public static bool TryParse(string name, out DateTimeOffset start)
    {
        start = default;
        if (name.Length < StampLength + 4 || name.Length > StampLength + 12
            || !(name.EndsWith(".mp4", StringComparison.Ordinal) || name.EndsWith(".avi", StringComparison.Ordinal)))
            return false;
        // An optional "-N" after the stamp.
        var suffix = name.AsSpan(StampLength, name.Length - StampLength - 4);
        if (suffix.Length > 0 && (suffix[0] != '-' || suffix.Length < 2
            || !uint.TryParse(suffix[1..], NumberStyles.None, CultureInfo.InvariantCulture, out _)))
            return false;
        if (!DateTime.TryParseExact(name.AsSpan(0, StampLength), StampFormat, CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var utc)) return false;
        start = new DateTimeOffset(utc, TimeSpan.Zero);
        return true;
    }

    private volatile string? _writing;

    /// <summary>
    /// The file being written, set by the write step that creates it and cleared when it is closed (the
    /// listing marks it open; it is never pruned or deleted).
    /// </summary>
    public string? Writing
    {
        get => _writing;
        set => _writing = value;
    }

    /// <summary>Every recording, oldest first.</summary>
    public List<RecordingInfo> List()
    {
        string? open = _writing;
        var found = new List<RecordingInfo>();
        if (!System.IO.Directory.Exists(Directory)) return found;
        foreach (var file in new DirectoryInfo(Directory).EnumerateFiles())
        {
            if (!TryParse(file.Name, out var start)) continue;
            double seconds = Math.Max(0, (new DateTimeOffset(file.LastWriteTimeUtc, TimeSpan.Zero) - start).TotalSeconds);
            found.Add(new RecordingInfo(file.Name, start, Math.Round(seconds, 1), file.Length, file.Name == open));
        }
        found.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return found;
    }

    /// <summary>Bytes a recording may still take: the free space minus <c>Files:ReserveBytes</c>.</summary>
    public long Room()
    {
        System.IO.Directory.CreateDirectory(Directory);
        return new DriveInfo(Directory).AvailableFreeSpace - files.ReserveBytes;
    }

    /// <summary>
    /// Deletes the oldest recordings (never the one being written) while any is older than
    /// <c>RetentionDays</c>, all of them take more than <c>MaxBytes</c>, or fewer than
    /// <paramref name="needed"/> bytes are left above the reserve. Returns the names deleted.
    /// </summary>
    public List<string> Prune(RecordingSettings settings, long needed, DateTimeOffset now)
    {
        var deleted = new List<string>();
        var all = List();
        long total = 0;
        foreach (var recording in all) total += recording.Bytes;
        long room = Room();
        foreach (var oldest in all)
        {
            bool tooOld = settings.RetentionDays > 0 && oldest.Start < now.AddDays(-settings.RetentionDays);
            bool tooMuch = settings.MaxBytes > 0 && total > settings.MaxBytes;
            if (!tooOld && !tooMuch && room >= needed) break;
            if (oldest.Open) continue;
            File.Delete(PathOf(oldest.Name));
            deleted.Add(oldest.Name);
            total -= oldest.Bytes;
            room += oldest.Bytes;
        }
        return deleted;
    }

    /// <summary>Deletes one recording by name; false when there is none (or the name is not a recording's).</summary>
    public bool Delete(string name)
    {
        if (!TryParse(name, out _) || name == _writing || !File.Exists(PathOf(name))) return false;
        File.Delete(PathOf(name));
        return true;
    }
}
