namespace Edge.Hosting;

/// <summary>The configuration is unusable; the message names the key. Edge exits with code 2.</summary>
public sealed class ConfigException(string message, Exception? inner = null) : Exception(message, inner);
