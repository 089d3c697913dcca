namespace Edge.Camera;

/// <summary>A capture device as camera.list reports it.</summary>
public sealed record CameraDeviceInfo(string Path, string Name, string Driver, string Bus, IReadOnlyList<CameraFormatInfo> Formats);

/// <summary>
/// One pixel format: <see cref="Format"/> is "mjpeg", "yuyv", "nv12", "i420" or "h264" for the
/// formats Edge knows, the driver's four-character code otherwise.
/// </summary>
public sealed record CameraFormatInfo(string Format, string Description, bool Compressed, IReadOnlyList<CameraSizeInfo> Sizes);

/// <summary>A frame size and its frame rates, fastest first.</summary>
public sealed record CameraSizeInfo(int Width, int Height, IReadOnlyList<double> Fps);
