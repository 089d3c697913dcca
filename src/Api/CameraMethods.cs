using Edge.Auth;
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
    private readonly SerialChain _changes = new();

    public void Register(ApiDispatcher dispatcher)
    {
        dispatcher.Register("camera.list", UserRole.Viewer, List);
        dispatcher.Register("camera.get", UserRole.Viewer, Get);
        dispatcher.Register("camera.set", UserRole.Operator, Set);
    }

    private async ValueTask<ApiResult> List(ApiCall call)
    {
        // Opening devices and their ioctls can block: off the loop.
        var (devices, encoders) = await pool.Submit(_ =>
        {
            var nodes = V4l2Device.FindDevices();
            return (nodes.Select(V4l2Device.Describe).OfType<CameraDeviceInfo>().ToList(),
                V4l2MemToMem.FindEncoders(nodes, V4l2Codecs.H264));
        }, PoolFullMode.Wait);
        return ApiResult.Of(new CameraList(CameraSettings.Sources, devices, encoders), ApiJsonContext.Default.CameraList);
    }

    private ValueTask<ApiResult> Get(ApiCall call) => ApiResult.Of(camera.Settings, ApiJsonContext.Default.CameraSettings);

    private async ValueTask<ApiResult> Set(ApiCall call)
    {
        var patch = Patch(call.Params);
        // Each change starts from the settings the previous one left: two calls at once on different
        // fields must both land, in the order they came.
        var next = await _changes.Then(static s => s.Self.MergeSaveApply(s.Patch), (Self: this, Patch: patch));
        return ApiResult.Of(next, ApiJsonContext.Default.CameraSettings);
    }

    // The fields a call changes, type-checked before it waits for earlier changes.
    private static List<Action<CameraSettings>> Patch(JsonElement parameters)
    {
        if (parameters.ValueKind != JsonValueKind.Object) throw ApiException.InvalidParams("params must be an object of camera settings.");
        var patch = new List<Action<CameraSettings>>();
        foreach (var property in parameters.EnumerateObject())
        {
            switch (property.Name)
            {
                case "source": { string v = SettingParams.Text(property); patch.Add(s => s.Source = v); break; }
                case "device": { string v = SettingParams.Text(property); patch.Add(s => s.Device = v); break; }
                case "format": { string v = SettingParams.Text(property); patch.Add(s => s.Format = v); break; }
                case "subsampling": { string v = SettingParams.Text(property); patch.Add(s => s.Subsampling = v); break; }
                case "width": { int v = SettingParams.Integer(property); patch.Add(s => s.Width = v); break; }
                case "height": { int v = SettingParams.Integer(property); patch.Add(s => s.Height = v); break; }
                case "fps": { int v = SettingParams.Integer(property); patch.Add(s => s.Fps = v); break; }
                case "quality": { int v = SettingParams.Integer(property); patch.Add(s => s.Quality = v); break; }
                case "h264": patch.Add(H264Patch(property.Value)); break;
                case "command":
                    // Running programs is for whoever controls the configuration file, not every API user.
                    throw new ApiException(ApiErrorCode.Forbidden, "The pipe command can only be set in the configuration file.");
                default:
                    throw ApiException.InvalidParams($"params.{property.Name} is not a camera setting " +
                        $"(source, device, format, width, height, fps, quality, subsampling, h264).");
            }
        }
        return patch;
    }

    private static Action<CameraSettings> H264Patch(JsonElement parameters)
    {
        if (parameters.ValueKind != JsonValueKind.Object)
            throw ApiException.InvalidParams("params.h264 must be an object of H.264 settings.");
        var patch = new List<Action<H264Settings>>();
        foreach (var property in parameters.EnumerateObject())
        {
            switch (property.Name)
            {
                case "encoder": { string v = SettingParams.Text(property); patch.Add(s => s.Encoder = v); break; }
                case "device": { string v = SettingParams.Text(property); patch.Add(s => s.Device = v); break; }
                case "bitrate": { int v = SettingParams.Integer(property); patch.Add(s => s.Bitrate = v); break; }
                case "keyframeSeconds": { int v = SettingParams.Integer(property); patch.Add(s => s.KeyframeSeconds = v); break; }
                case "profile": { string v = SettingParams.Text(property); patch.Add(s => s.Profile = v); break; }
                default:
                    throw ApiException.InvalidParams($"params.h264.{property.Name} is not an H.264 setting " +
                        "(encoder, device, bitrate, keyframeSeconds, profile).");
            }
        }
        return settings =>
        {
            var h264 = settings.H264OrDefault().Clone();
            foreach (var set in patch) set(h264);
            settings.H264 = h264;
        };
    }

    // Saved first: a setting that would not survive a restart is not applied either.
    private async Task<CameraSettings> MergeSaveApply(List<Action<CameraSettings>> patch)
    {
        var current = camera.Settings;
        var next = current.Clone();
        foreach (var set in patch) set(next);
        if (next.Validate() is { } problem) throw ApiException.InvalidParams(problem);
        if (next.Source == "v4l2" && (next.Source != current.Source || next.Device != current.Device)
            && await pool.Submit(_ => V4l2Device.NodeProblem(next.Device), PoolFullMode.Wait) is { } device)
            throw ApiException.InvalidParams(device);
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
        return next;
    }
}

/// <summary>camera.list: the sources, the V4L2 cameras, and the V4L2 mem-to-mem H.264 encoders (for H264:Device).</summary>
public sealed record CameraList(IReadOnlyList<string> Sources, IReadOnlyList<CameraDeviceInfo> Devices,
    IReadOnlyList<CameraDeviceInfo> Encoders);
