using System.Globalization;
using System.Text;
using Edge.State;

namespace Edge.Hosting;

/// <summary>
/// <c>--pidfile PATH</c>: the process id, written (atomically, mode 0644) once Edge serves and removed when
/// it exits, for sysvinit scripts and start-stop-daemon. A pidfile naming another running Edge stops the start.
/// </summary>
public sealed class PidFile(string path)
{
    public string Path { get; } = System.IO.Path.GetFullPath(path);

    /// <summary>Writes the pidfile; throws <see cref="InvalidOperationException"/> if another Edge still runs under it.</summary>
    public void Write()
    {
        if (File.Exists(Path) && int.TryParse(File.ReadAllText(Path).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int pid)
            && pid != Environment.ProcessId && IsEdge(pid))
            throw new InvalidOperationException($"--pidfile {Path}: Edge already runs as process {pid}.");
        AtomicFile.Write(Path, Encoding.ASCII.GetBytes($"{Environment.ProcessId}\n"),
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
    }

    /// <summary>Removes the pidfile if it is still ours.</summary>
    public void Remove()
    {
        try
        {
            if (File.Exists(Path) && File.ReadAllText(Path).Trim() == Environment.ProcessId.ToString(CultureInfo.InvariantCulture))
                File.Delete(Path);
        }
        catch (IOException) { }
    }

    // A stale pidfile after kill -9 may name a pid reused by something else: only an Edge counts.
    private static bool IsEdge(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/comm").Trim() == File.ReadAllText("/proc/self/comm").Trim();
        }
        catch (IOException)
        {
            return false;
        }
    }
}
