using System.Diagnostics;
using System.Text.Json;

namespace Edge.Runtime;

/// <summary>
/// The event loop's work items counted and timed by kind, for the runtime inspector. A kind is a type:
/// the async method a continuation resumes, the object a callback belongs to, or the lambda's
/// declaring class. Types rather than method names, because native AOT keeps no reflection data for
/// <see cref="Delegate.Method"/>; names are made only when a report asks. Loop thread only.
/// </summary>
internal sealed class WorkKinds
{
    private readonly Dictionary<Type, Kind> _kinds = [];
    private readonly Dictionary<Type, string> _names = [];

    public void Record(Type kind, long ticks, long allocatedBytes)
    {
        if (!_kinds.TryGetValue(kind, out var stats)) _kinds[kind] = stats = new Kind(kind);
        stats.Count++;
        stats.Ticks += ticks;
        stats.AllocatedBytes += allocatedBytes;
        if (ticks > stats.MaxTicks) stats.MaxTicks = ticks;
    }

    /// <summary>
    /// The <paramref name="count"/> kinds that took the most loop time since start, most first, as a JSON
    /// array of {name, count, totalMs, maxMs, allocatedBytes} (what the items allocated on the managed heap).
    /// Written directly: view records would each cost native AOT their own equality and printing code.
    /// </summary>
    public void WriteBusiest(Utf8JsonWriter w, int count)
    {
        // A list of the stats objects, not of key-value pairs: sorting structs would compile a sort of its own.
        var order = new List<Kind>(_kinds.Values);
        order.Sort(static (a, b) => b.Ticks.CompareTo(a.Ticks));
        w.WriteStartArray();
        for (int i = 0; i < order.Count && i < count; i++)
        {
            var stats = order[i];
            w.WriteStartObject();
            w.WriteString("name", NameOf(stats.Type));
            w.WriteNumber("count", stats.Count);
            w.WriteNumber("totalMs", Milliseconds(stats.Ticks));
            w.WriteNumber("maxMs", Milliseconds(stats.MaxTicks));
            w.WriteNumber("allocatedBytes", stats.AllocatedBytes);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    /// <summary>The kind of a posted item: see the class summary.</summary>
    public static Type KindOf(SendOrPostCallback callback, object? state) => state switch
    {
        IKindOfWork work => work.Kind,
        // How a ValueTask source (a socket, a channel) posts an async method's continuation.
        Tuple<Action<object?>, object?> pair => pair.Item2?.GetType() ?? pair.Item1.Target?.GetType() ?? typeof(EventLoop),
        Delegate d => d.Target?.GetType() ?? callback.Target?.GetType() ?? typeof(EventLoop),
        null => callback.Target?.GetType() ?? typeof(EventLoop),
        _ => state.GetType(),
    };

    private string NameOf(Type type)
    {
        if (!_names.TryGetValue(type, out var name)) _names[type] = name = Readable(type);
        return name;
    }

    /// <summary>
    /// "SessionHub.Serve (async)" for an async method's state machine box, "Program (lambda)" for a
    /// lambda's closure, otherwise the type's name with the class it is nested in.
    /// </summary>
    internal static string Readable(Type type)
    {
        if (type.IsGenericType && type.Name.StartsWith("AsyncStateMachineBox", StringComparison.Ordinal)
            && type.GenericTypeArguments.Length > 0)
            type = type.GenericTypeArguments[^1];
        // Channel<T>'s AsyncOperation<T> and the like: the arity mark means nothing to a reader.
        string name = type.Name.Split('`')[0];
        string? owner = type.DeclaringType?.Name.Split('`')[0];
        if (name.StartsWith('<'))
        {
            int close = name.IndexOf('>');
            string inner = close > 1 ? name[1..close] : "";
            bool async = name.AsSpan(close + 1).StartsWith("d__");
            name = inner.Length == 0 ? "(lambda)" : async ? inner + " (async)" : inner;
            return owner == null ? name : inner.Length == 0 ? owner + " " + name : owner + "." + name;
        }
        return owner == null ? name : owner + "." + name;
    }

    private static double Milliseconds(long ticks) => Math.Round(ticks * 1000.0 / Stopwatch.Frequency, 3);

    private sealed class Kind(Type type)
    {
        public readonly Type Type = type;
        public long Count, Ticks, MaxTicks, AllocatedBytes;
    }
}
