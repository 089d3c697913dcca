using System.Text.Json.Serialization;

namespace Edge.Recording;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(RecordingInfo))]
[JsonSerializable(typeof(RecordingPage))]
public sealed partial class RecordingJsonContext : JsonSerializerContext;
