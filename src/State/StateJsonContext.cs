using System.Text.Json;
using System.Text.Json.Serialization;

namespace Edge.State;

[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(long))]
[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(double))]
[JsonSerializable(typeof(bool))]
public sealed partial class StateJsonContext : JsonSerializerContext;
