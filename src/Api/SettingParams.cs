using System.Text.Json;

namespace Edge.Api;

/// <summary>One field of a <c>*.set</c> call's params, read as its type or refused with -32602 naming it (<c>params.NAME</c>).</summary>
public static class SettingParams
{
    public static string Text(JsonProperty property) => property.Value.ValueKind == JsonValueKind.String
        ? property.Value.GetString()!
        : throw ApiException.InvalidParams($"params.{property.Name} must be a string.");

    public static int Integer(JsonProperty property)
        => property.Value.ValueKind == JsonValueKind.Number && property.Value.TryGetInt32(out int number)
            ? number
            : throw ApiException.InvalidParams($"params.{property.Name} must be an integer.");

    public static double Number(JsonProperty property)
        => property.Value.ValueKind == JsonValueKind.Number && property.Value.TryGetDouble(out double number) && double.IsFinite(number)
            ? number
            : throw ApiException.InvalidParams($"params.{property.Name} must be a number.");

    public static bool Flag(JsonProperty property) => property.Value.ValueKind is JsonValueKind.True or JsonValueKind.False
        ? property.Value.GetBoolean()
        : throw ApiException.InvalidParams($"params.{property.Name} must be true or false.");
}
