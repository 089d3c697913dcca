using System.Text.Json.Serialization;

namespace Edge.Streaming;

/// <summary>Capture-to-sent time of RTSP frames over the last second.</summary>
public sealed record RtspLatency(double P50Ms, double P99Ms);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    GenerationMode = JsonSourceGenerationMode.Serialization)]
[JsonSerializable(typeof(RtspLatency))]
public sealed partial class StreamingJsonContext : JsonSerializerContext;
