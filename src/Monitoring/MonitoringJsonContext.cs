using System.Text.Json.Serialization;

namespace Edge.Monitoring;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(CpuUsage))]
[JsonSerializable(typeof(LoadAverage))]
[JsonSerializable(typeof(MemoryUsage))]
[JsonSerializable(typeof(Temperature[]))]
[JsonSerializable(typeof(DiskUsage))]
[JsonSerializable(typeof(InterfaceRate[]))]
public sealed partial class MonitoringJsonContext : JsonSerializerContext;
