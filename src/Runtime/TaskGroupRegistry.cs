using System.Text.Json;

namespace Edge.Runtime;

/// <summary>
/// The task groups alive now, for the runtime inspector. Thread-safe: a group ends on whichever thread
/// its last child does.
/// </summary>
public sealed class TaskGroupRegistry
{
    private readonly Lock _lock = new();
    private readonly List<TaskGroup> _groups = [];

    internal void Add(TaskGroup group)
    {
        lock (_lock) _groups.Add(group);
    }

    internal void Remove(TaskGroup group)
    {
        lock (_lock) _groups.Remove(group);
    }

    /// <summary>Every live group with its live children, in the order the groups were made, as a JSON array.</summary>
    public void WriteTo(Utf8JsonWriter w)
    {
        TaskGroup[] groups;
        lock (_lock) groups = [.. _groups];
        w.WriteStartArray();
        foreach (var group in groups) group.WriteTo(w);
        w.WriteEndArray();
    }
}
