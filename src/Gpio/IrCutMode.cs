using System.Text.Json.Serialization;

namespace Edge.Gpio;

/// <summary>What <c>DATA_DIR/ircut.json</c> holds: the mode ONVIF set last.</summary>
public sealed record IrCutMode(string Mode)
{
    public const string FileName = "ircut.json";
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(IrCutMode))]
public sealed partial class IrCutJsonContext : JsonSerializerContext;
