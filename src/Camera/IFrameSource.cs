namespace Edge.Camera;

/// <summary>
/// A camera: runs on its own capture thread, writes frames to a <see cref="CaptureOutput"/> and never
/// waits for what happens to them. <see cref="Run"/> returns when canceled; it throws when the camera
/// fails (device gone, process exited), and the supervisor starts a new one after a back-off.
/// </summary>
public interface IFrameSource
{
    /// <summary>What this source is, for logs and status ("test pattern 1280×720 at 30 fps").</summary>
    string Description { get; }

    void Run(CaptureOutput output, CancellationToken cancellationToken);
}
