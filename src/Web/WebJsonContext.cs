using System.Text.Json.Serialization;

namespace Edge.Web;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UseStringEnumConverter = true)]
[JsonSerializable(typeof(Readiness))]
internal sealed partial class WebJsonContext : JsonSerializerContext;
