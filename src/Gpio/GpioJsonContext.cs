using System.Text.Json.Serialization;

namespace Edge.Gpio;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(GpioStatus))]
public sealed partial class GpioJsonContext : JsonSerializerContext;
