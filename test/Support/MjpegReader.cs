using System.Text;

namespace Edge.Tests.Support;

/// <summary>A real MJPEG client: reads a multipart/x-mixed-replace response part by part (by Content-Length, as ffmpeg does).</summary>
public sealed class MjpegReader(Stream stream) : IDisposable
{
    private readonly BufferedStream _input = new(stream, 64 * 1024);

    /// <summary>The next JPEG, or null at the end of the stream; a frame that takes over 10 s fails the test.</summary>
    public async Task<byte[]?> Next()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try { return await Next(timeout.Token); }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            throw new TimeoutException("no MJPEG frame within 10 s");
        }
    }

    public async Task<byte[]?> Next(CancellationToken cancellationToken)
    {
        int length = -1;
        string? line;
        // Boundary line, then headers up to an empty line.
        do line = await ReadLine(cancellationToken);
        while (line != null && !line.StartsWith("--", StringComparison.Ordinal));
        if (line == null) return null;
        while ((line = await ReadLine(cancellationToken)) is { Length: > 0 })
            if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase)) length = int.Parse(line[15..].Trim());
        if (line == null) return null;
        if (length < 0) throw new InvalidDataException("a part without Content-Length");
        var jpeg = new byte[length];
        await _input.ReadExactlyAsync(jpeg, cancellationToken);
        return jpeg;
    }

    private async Task<string?> ReadLine(CancellationToken cancellationToken)
    {
        var line = new StringBuilder();
        var one = new byte[1];
        while (true)
        {
            if (await _input.ReadAsync(one, cancellationToken) == 0) return line.Length > 0 ? line.ToString() : null;
            if (one[0] == '\n') return line.ToString().TrimEnd('\r');
            line.Append((char)one[0]);
        }
    }

    public void Dispose() => _input.Dispose();
}
