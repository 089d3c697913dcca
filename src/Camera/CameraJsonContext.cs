using System.Text.Json.Serialization;

namespace Edge.Camera;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(CameraFps))]
[JsonSerializable(typeof(CameraDrops))]
[JsonSerializable(typeof(CameraEncodeTimes))]
[JsonSerializable(typeof(CameraStatus))]
[JsonSerializable(typeof(CameraVideo))]
[JsonSerializable(typeof(SavedSnapshot))]
[JsonSerializable(typeof(CameraSettings))]
public sealed partial class CameraJsonContext : JsonSerializerContext;
