using System.Text.Json.Serialization;

namespace Edge.Web;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UseStringEnumConverter = true, GenerationMode = JsonSourceGenerationMode.Serialization)]
[JsonSerializable(typeof(Readiness))]
internal sealed partial class WebJsonContext : JsonSerializerContext;
