using System.Text.Json.Serialization;
using Edge.Runtime;

namespace Edge.Api;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UseStringEnumConverter = true,
    GenerationMode = JsonSourceGenerationMode.Serialization)]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(WhoAmIResult))]
[JsonSerializable(typeof(SystemInfo))]
[JsonSerializable(typeof(StateSetResult))]
[JsonSerializable(typeof(SubscriptionResult))]
[JsonSerializable(typeof(IReadOnlyList<ServiceInfo>))]
[JsonSerializable(typeof(Edge.Camera.CameraSettings))]
[JsonSerializable(typeof(CameraList))]
[JsonSerializable(typeof(Edge.Gpio.GpioChipList))]
[JsonSerializable(typeof(GpioSetResult))]
public sealed partial class ApiJsonContext : JsonSerializerContext;
