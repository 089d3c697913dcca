using System.Text.Json.Serialization;

namespace Edge.Gpio;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(GpioStatus))]
[JsonSerializable(typeof(GpioEdgeEvent))]
public sealed partial class GpioJsonContext : JsonSerializerContext;
