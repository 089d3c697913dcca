namespace Edge.Camera;

/// <summary>The camera failed (device gone, command exited, unusable format); the message says how, for logs and status.</summary>
public sealed class CameraException(string message, Exception? inner = null) : Exception(message, inner);
