using System.Text.Json;
using Edge.Auth;
using Edge.Motion;
using Edge.Runtime;
using Edge.State;

namespace Edge.Api;

/// <summary><c>motion.get</c> (viewer) and <c>motion.set</c> (operator: saved, then applied at once).</summary>
public sealed class MotionMethods(MotionService motion, WorkerPool pool, SettingsFile<MotionSettings> saved, StorageHealth storage)
{
    /// <summary>How the motion settings file is named in <see cref="StorageHealth"/>.</summary>
    public const string StorageWriter = "motion settings";

    // As for camera.set: changes are merged, saved and applied one after another.
    private readonly SerialChain _changes = new();

    public void Register(ApiDispatcher dispatcher)
    {
        dispatcher.Register("motion.get", UserRole.Viewer, Get);
        dispatcher.Register("motion.set", UserRole.Operator, Set);
    }

    private ValueTask<ApiResult> Get(ApiCall call) => ApiResult.Of(motion.Settings, MotionJsonContext.Default.MotionSettings);

    private async ValueTask<ApiResult> Set(ApiCall call)
    {
        var patch = Patch(call.Params);
        var next = await _changes.Then(static s => s.Self.MergeSaveApply(s.Patch), (Self: this, Patch: patch));
        return ApiResult.Of(next, MotionJsonContext.Default.MotionSettings);
    }

    // The fields a call changes, type-checked before it waits for earlier changes.
    private static List<Action<MotionSettings>> Patch(JsonElement parameters)
    {
        if (parameters.ValueKind != JsonValueKind.Object) throw ApiException.InvalidParams("params must be an object of motion settings.");
        var patch = new List<Action<MotionSettings>>();
        foreach (var property in parameters.EnumerateObject())
        {
            switch (property.Name)
            {
                case "enabled": { bool v = SettingParams.Flag(property); patch.Add(s => s.Enabled = v); break; }
                case "fps": { int v = SettingParams.Integer(property); patch.Add(s => s.Fps = v); break; }
                case "sensitivity": { int v = SettingParams.Integer(property); patch.Add(s => s.Sensitivity = v); break; }
                case "minAreaPercent": { double v = SettingParams.Number(property); patch.Add(s => s.MinAreaPercent = v); break; }
                case "zones": { string[]? v = Zones(property.Value); patch.Add(s => s.Zones = v); break; }
                case "cooldownSeconds": { int v = SettingParams.Integer(property); patch.Add(s => s.CooldownSeconds = v); break; }
                case "action": { string v = SettingParams.Text(property); patch.Add(s => s.Action = v); break; }
                default:
                    throw ApiException.InvalidParams($"params.{property.Name} is not a motion setting " +
                        "(enabled, fps, sensitivity, minAreaPercent, zones, cooldownSeconds, action).");
            }
        }
        return patch;
    }

    // Null (or []) watches the whole picture; otherwise rows of '#' and '.', checked with the rest.
    private static string[]? Zones(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() > MotionSettings.MaxZoneCells)
            throw ApiException.InvalidParams($"params.zones must be null or an array of at most {MotionSettings.MaxZoneCells} strings.");
        var rows = new string[value.GetArrayLength()];
        int i = 0;
        foreach (var row in value.EnumerateArray())
        {
            rows[i++] = row.ValueKind == JsonValueKind.String
                ? row.GetString()!
                : throw ApiException.InvalidParams("params.zones must hold strings.");
        }
        return rows.Length == 0 ? null : rows;
    }

    // Saved first: a setting that would not survive a restart is not applied either.
    private async Task<MotionSettings> MergeSaveApply(List<Action<MotionSettings>> patch)
    {
        var next = motion.Settings.Clone();
        foreach (var set in patch) set(next);
        if (next.Validate() is { } problem) throw ApiException.InvalidParams(problem);
        try
        {
            await pool.Submit(_ => saved.Save(next), PoolFullMode.Wait);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            storage.Failed(StorageWriter, e);
            throw new StorageException("Cannot save the motion settings", e);
        }
        storage.Succeeded(StorageWriter);
        motion.Apply(next);
        return next;
    }
}
