namespace Edge.Recording;

/// <summary>
/// One recording file as <c>recordings.list</c> and the journal's <c>recording.segment</c> give it: its
/// name (<c>/recordings/NAME</c>), UTC start (from the name), seconds (to its last write), bytes, and
/// whether it is still being written.
/// </summary>
public sealed class RecordingInfo(string name, DateTimeOffset start, double seconds, long bytes, bool open)
{
    public string Name { get; } = name;

    public DateTimeOffset Start { get; } = start;

    public double Seconds { get; } = seconds;

    public long Bytes { get; } = bytes;

    public bool Open { get; } = open;
}

/// <summary>A page of <c>recordings.list</c>: oldest first; <see cref="Next"/> is the <c>after</c> of the next page.</summary>
public sealed class RecordingPage(List<RecordingInfo> recordings, string? next)
{
    public List<RecordingInfo> Recordings { get; } = recordings;

    public string? Next { get; } = next;
}
