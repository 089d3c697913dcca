using System.Text.Json.Serialization;

namespace Edge.Gpio;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    GenerationMode = JsonSourceGenerationMode.Serialization)]
[JsonSerializable(typeof(GpioStatus))]
[JsonSerializable(typeof(GpioEdgeEvent))]
public sealed partial class GpioJsonContext : JsonSerializerContext;
