using System.Text.Json.Serialization;

namespace Edge.Video;

public sealed record H264EncodeTimes(double P50Ms, double P99Ms);

/// <summary>
/// State <c>camera.h264</c>: the encoder in use (null: none), what it made over the last second
/// (frames, kbit/s, encode times), raw frames dropped since start because it was busy, and why it
/// cannot encode, if it cannot.
/// </summary>
public sealed record H264Status(string? Encoder, double Fps, double Kbps, H264EncodeTimes? EncodeMs, long Drops, string? Error);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(H264Status))]
public sealed partial class VideoJsonContext : JsonSerializerContext;
