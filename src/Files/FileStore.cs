using System.Buffers;
using System.Text.Json.Serialization;
using Edge.Runtime;
using Edge.State;

namespace Edge.Files;

/// <summary>A file in the store as <c>GET /files</c> lists it; <paramref name="ETag"/> changes with size or time.</summary>
public sealed record StoredFile(string Name, long Size, DateTimeOffset Modified, string ETag);

/// <summary>
/// How a save ended. <see cref="NoSpace"/>: the file system is full or down to its reserve, the data
/// directory's trouble; <see cref="WontFit"/>: this file is larger than the room left, the upload's.
/// </summary>
public enum SaveOutcome { Created, Replaced, TooLarge, NoSpace, WontFit }

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    GenerationMode = JsonSourceGenerationMode.Serialization)]
[JsonSerializable(typeof(StoredFile))]
[JsonSerializable(typeof(List<StoredFile>))]
internal sealed partial class FilesJsonContext : JsonSerializerContext;

/// <summary>
/// The <c>files/</c> folder of the data directory (uploads, and snapshots saved by GPIO actions). A save
/// streams into a temporary file (never the whole file in memory), checks the size limit and the free
/// space as it goes, then fsyncs, renames over the name and fsyncs the folder: a crash leaves the old
/// file or the new one, never a torn one. Metadata and fsync work runs on the worker pool.
/// </summary>
public sealed class FileStore(string directory, FileSettings settings, WorkerPool pool)
{
    private const string TemporaryPrefix = ".upload-";
    private const int ChunkBytes = 128 * 1024;

    public string Directory { get; } = directory;

    public FileSettings Settings => settings;

    public string PathOf(string name) => Path.Combine(Directory, name);

    /// <summary>
    /// Deletes temporary files that a crash cut short: uploads' and atomic writes' (snapshots). Names
    /// that start with '.' are never stored files. Blocking: call on the pool or at start.
    /// </summary>
    public void DeleteLeftovers()
    {
        if (!System.IO.Directory.Exists(Directory)) return;
        foreach (var leftover in System.IO.Directory.EnumerateFiles(Directory, ".*")) File.Delete(leftover);
    }

    public Task<List<StoredFile>> List() => pool.Submit(_ =>
    {
        var files = new List<StoredFile>();
        if (!System.IO.Directory.Exists(Directory)) return files;
        foreach (var info in new DirectoryInfo(Directory).EnumerateFiles())
        {
            if (StoredFileName.Problem(info.Name) == null) files.Add(Describe(info));
        }
        files.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return files;
    }, PoolFullMode.Wait);

    /// <summary>The file, or null when there is none.</summary>
    public Task<StoredFile?> Find(string name) => pool.Submit(_ =>
    {
        var info = new FileInfo(PathOf(name));
        return info.Exists ? Describe(info) : null;
    }, PoolFullMode.Wait);

    /// <summary>Deletes the file (and makes that durable); false when there was none.</summary>
    public Task<bool> Delete(string name) => pool.Submit(_ =>
    {
        string path = PathOf(name);
        if (!File.Exists(path)) return false;
        File.Delete(path);
        AtomicFile.SyncDirectory(Directory);
        return true;
    }, PoolFullMode.Wait);

    /// <summary>
    /// Stores <paramref name="body"/> as <paramref name="name"/>; <paramref name="declaredLength"/> lets an
    /// upload too large for the limit or the disk be refused before a byte is written. Throws
    /// <see cref="InvalidDataException"/> when the body ends early or is malformed.
    /// </summary>
    public async Task<(SaveOutcome Outcome, StoredFile? File)> Save(string name, Stream body, long? declaredLength,
        CancellationToken cancellationToken)
    {
        if (declaredLength > settings.MaxFileBytes) return (SaveOutcome.TooLarge, null);
        string temporary = Path.Combine(Directory, $"{TemporaryPrefix}{Guid.NewGuid():N}");
        long room = await pool.Submit(_ => Room(), PoolFullMode.Wait, cancellationToken);
        if ((declaredLength ?? 0) > room) return (OutOfRoom(room), null);
        var stream = new FileStream(temporary, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            Options = FileOptions.Asynchronous,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead,
        });
        byte[] buffer = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        bool saved = false;
        try
        {
            long written = 0;
            while (true)
            {
                int read = await ReadChunk(body, buffer, cancellationToken);
                if (read == 0) break;
                written += read;
                if (written > settings.MaxFileBytes) return (SaveOutcome.TooLarge, null);
                if (written > room) return (OutOfRoom(room), null);
                await stream.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            }
            string path = PathOf(name);
            var result = await pool.Submit(_ =>
            {
                stream.Flush(flushToDisk: true);
                stream.Dispose();
                bool existed = File.Exists(path);
                File.Move(temporary, path, overwrite: true);
                AtomicFile.SyncDirectory(Directory);
                return (existed ? SaveOutcome.Replaced : SaveOutcome.Created, Describe(new FileInfo(path)));
            }, PoolFullMode.Wait, CancellationToken.None);
            saved = true;
            return result;
        }
        catch (IOException e) when (e.HResult == NoSpaceLeft)
        {
            return (SaveOutcome.NoSpace, null);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            if (!saved)
            {
                await stream.DisposeAsync();
                File.Delete(temporary);
            }
        }
    }

    /// <summary>
    /// Bytes a new file may take: the free space minus <c>Files:ReserveBytes</c> (negative below the
    /// reserve). Blocking: call on the pool.
    /// </summary>
    public long Room()
    {
        System.IO.Directory.CreateDirectory(Directory);
        return new DriveInfo(Directory).AvailableFreeSpace - settings.ReserveBytes;
    }

    private static SaveOutcome OutOfRoom(long room) => room <= 0 ? SaveOutcome.NoSpace : SaveOutcome.WontFit;

    // The request's failures (a client that went away, a malformed multipart body) are the upload's, not the disk's.
    private static async Task<int> ReadChunk(Stream body, byte[] buffer, CancellationToken cancellationToken)
    {
        try
        {
            return await body.ReadAtLeastAsync(buffer, ChunkBytes, throwOnEndOfStream: false, cancellationToken);
        }
        catch (IOException e)
        {
            throw new InvalidDataException($"The upload ended early: {e.Message}", e);
        }
    }

    // ENOSPC as .NET reports it in IOException.HResult.
    private const int NoSpaceLeft = 28;

    /// <summary>A strong validator in the style of nginx: size and modification time.</summary>
    public static string ETagOf(FileInfo info) => $"\"{info.Length:x}-{info.LastWriteTimeUtc.Ticks:x}\"";

    private static StoredFile Describe(FileInfo info) => new(info.Name, info.Length, info.LastWriteTimeUtc, ETagOf(info));
}
