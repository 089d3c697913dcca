using System.Text.Json;
using System.Text.Json.Serialization;
using Edge.Runtime;

namespace Edge.State;

/// <summary>One journal record: a number that only grows, when, what kind, and the kind's data.</summary>
public sealed record JournalEvent(long Seq, DateTimeOffset Time, string Kind, JsonElement Data);

/// <summary>
/// A page of <c>events.list</c>, newest first; <paramref name="Next"/> is the <c>before</c> of the next
/// page, null at the oldest.
/// </summary>
public sealed record JournalPage(IReadOnlyList<JournalEvent> Events, long? Next);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UseStringEnumConverter = true)]
[JsonSerializable(typeof(JournalEvent))]
[JsonSerializable(typeof(ServiceInfo))]
[JsonSerializable(typeof(JournalPage))]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(long))]
internal sealed partial class JournalJsonContext : JsonSerializerContext;
