namespace Edge.State;

/// <summary>A write to the data directory failed (a full or read-only file system); what the client is told, already logged by <see cref="StorageHealth"/>.</summary>
public sealed class StorageException(string what, Exception cause) : Exception($"{what}: {CauseOf(cause)}", cause)
{
    /// <summary>
    /// The failure without the file it names: .NET's I/O messages end in the path (" : '/data/files/.upload-…'"),
    /// which differs on every upload (each failure would be a new cause) and is not the client's business.
    /// </summary>
    public static string CauseOf(Exception error)
    {
        string message = error.Message;
        int path = message.IndexOf(" : '", StringComparison.Ordinal);
        return path > 0 ? message[..path] : message;
    }
}
