using System.Text.Json.Serialization;

namespace Edge.Motion;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(MotionEvent))]
[JsonSerializable(typeof(MotionSettings))]
public sealed partial class MotionJsonContext : JsonSerializerContext;
