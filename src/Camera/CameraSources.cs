using Edge.Camera.V4l2;
using Microsoft.Extensions.Logging;

namespace Edge.Camera;

/// <summary>Makes the source the settings name (a new one for every start, so nothing leaks between runs).</summary>
public static class CameraSources
{
    public static IFrameSource Create(CameraSettings settings, ILoggerFactory loggers) => settings.Source switch
    {
        "pipe" => new PipeSource(settings.Command, settings.FormatKind(), settings.Width, settings.Height, settings.Layout,
            loggers.CreateLogger<PipeSource>()),
        "v4l2" => new V4l2Source(settings.Device, settings.FormatKind(), settings.Width, settings.Height, settings.Fps, settings.Layout,
            loggers.CreateLogger<V4l2Source>()),
        _ => new TestPatternSource(settings.Width, settings.Height, settings.Fps, settings.Layout),
    };
}
