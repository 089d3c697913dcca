namespace Edge.Video;

/// <summary>An H.264 encoder is missing, cannot be set up, or failed; the message says which and why.</summary>
public sealed class H264EncoderException(string message, Exception? inner = null) : Exception(message, inner);
