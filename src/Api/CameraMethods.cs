using System.Text.Json;
using Edge.Camera;
using Edge.Camera.V4l2;
using Edge.Runtime;
using Edge.State;

namespace Edge.Api;

/// <summary><c>camera.list</c>, <c>camera.get</c>, <c>camera.set</c>.</summary>
public sealed class CameraMethods(CameraService camera, WorkerPool pool, SettingsFile<CameraSettings> saved, StorageHealth storage)
{
    /// <summary>How the camera settings file is named in <see cref="StorageHealth"/>.</summary>
    public const string StorageWriter = "camera settings";

    // Changes are saved and applied one after another, so the file and the camera end on the same one.
    private Task _lastChange = Task.CompletedTask;

    public void Register(ApiDispatcher dispatcher)
    {
        dispatcher.Register("camera.list", List);
        dispatcher.Register("camera.get", Get);
        dispatcher.Register("camera.set", Set);
    }

    private async ValueTask<ApiResult> List(ApiCall call)
    {
        // Opening devices and their ioctls can block: off the loop.
        var devices = await pool.Submit(_ => V4l2Device.FindDevices().Select(V4l2Device.Describe).OfType<CameraDeviceInfo>().ToList(), PoolFullMode.Wait);
        return ApiResult.Of(new CameraList(CameraSettings.Sources, devices), ApiJsonContext.Default.CameraList);
    }

    private ValueTask<ApiResult> Get(ApiCall call) => ApiResult.Of(camera.Settings, ApiJsonContext.Default.CameraSettings);

    private async ValueTask<ApiResult> Set(ApiCall call)
    {
        if (call.Params.ValueKind != JsonValueKind.Object) throw ApiException.InvalidParams("params must be an object of camera settings.");
        var next = camera.Settings.Clone();
        foreach (var property in call.Params.EnumerateObject())
        {
            var value = property.Value;
            switch (property.Name)
            {
                case "source": next.Source = Text(property); break;
                case "device": next.Device = Text(property); break;
                case "format": next.Format = Text(property); break;
                case "subsampling": next.Subsampling = Text(property); break;
                case "width": next.Width = Number(property); break;
                case "height": next.Height = Number(property); break;
                case "fps": next.Fps = Number(property); break;
                case "quality": next.Quality = Number(property); break;
                case "command":
                    // Running programs is for whoever controls the configuration file, not every API user.
                    throw new ApiException(ApiErrorCode.Forbidden, "The pipe command can only be set in the configuration file.");
                default:
                    throw ApiException.InvalidParams($"params.{property.Name} is not a camera setting (source, device, format, width, height, fps, quality, subsampling).");
            }
        }
        if (next.Validate() is { } problem) throw ApiException.InvalidParams(problem);
        if (next.Source == "v4l2" && !next.Device.StartsWith("/dev/video", StringComparison.Ordinal) && !next.Device.StartsWith("/dev/v4l/", StringComparison.Ordinal))
            throw ApiException.InvalidParams($"device must be a /dev/video* or /dev/v4l/ node (got '{next.Device}').");
        var change = SaveThenApply(_lastChange, next);
        _lastChange = change;
        await change;
        return ApiResult.Of(next, ApiJsonContext.Default.CameraSettings);
    }

    // Saved first: a setting that would not survive a restart is not applied either.
    private async Task SaveThenApply(Task previous, CameraSettings next)
    {
        try { await previous; }
        catch (Exception) { } // that change's caller got its error
        try
        {
            await pool.Submit(_ =>
            {
                saved.Save(next);
                return true;
            }, PoolFullMode.Wait);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            storage.Failed(StorageWriter, e);
            throw new StorageException("Cannot save the camera settings", e);
        }
        storage.Succeeded(StorageWriter);
        camera.Apply(next);
    }

    private static string Text(JsonProperty property) => property.Value.ValueKind == JsonValueKind.String
        ? property.Value.GetString()!
        : throw ApiException.InvalidParams($"params.{property.Name} must be a string.");

    private static int Number(JsonProperty property) => property.Value.ValueKind == JsonValueKind.Number && property.Value.TryGetInt32(out int number)
        ? number
        : throw ApiException.InvalidParams($"params.{property.Name} must be an integer.");
}

public sealed record CameraList(IReadOnlyList<string> Sources, IReadOnlyList<CameraDeviceInfo> Devices);
