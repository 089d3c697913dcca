using Edge.Runtime;

namespace Edge.State;

/// <summary>
/// A write to the data directory failed (a full or read-only file system); what the client is told,
/// already logged by <see cref="StorageHealth"/>.
/// </summary>
public sealed class StorageException(string what, Exception cause) : Exception($"{what}: {ErrorText.WithoutPaths(cause)}", cause);
