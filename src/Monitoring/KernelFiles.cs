namespace Edge.Monitoring;

/// <summary>
/// Reads small kernel files (<c>/proc</c>, <c>/sys</c>) below a root directory ("/", or a captured tree
/// in tests) into one reused buffer. Their contents are made in memory by the kernel on each read, so
/// reading them is cheap enough for the event loop. Not thread-safe.
/// </summary>
public sealed class KernelFiles(string root)
{
    private byte[] _buffer = new byte[4096];

    /// <summary>The full path of <paramref name="relative"/> (like <c>proc/stat</c>) below the root.</summary>
    public string PathOf(string relative) => Path.Join(root, relative);

    /// <summary>
    /// The whole file, valid until the next read. False when it is missing or cannot be read: a board
    /// without the file simply lacks that value, which is not an error.
    /// </summary>
    public bool TryRead(string path, out ReadOnlySpan<byte> text)
    {
        text = default;
        try
        {
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            int length = 0;
            while (true)
            {
                if (length == _buffer.Length) Array.Resize(ref _buffer, _buffer.Length * 2);
                int read = RandomAccess.Read(handle, _buffer.AsSpan(length), length);
                if (read == 0) break;
                length += read;
            }
            text = _buffer.AsSpan(0, length);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
