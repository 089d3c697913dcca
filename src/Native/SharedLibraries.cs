using System.Runtime.InteropServices;

namespace Edge.Native;

/// <summary>
/// Optional libraries Edge loads at run time (OpenH264, the TurboJPEG decompressor): whether one is
/// there, told without loading it (loading maps it and what it needs, resident for good).
/// </summary>
internal static class SharedLibraries
{
    /// <summary>
    /// <paramref name="soname"/> is a file of some size in one of the dynamic linker's directories
    /// (LD_LIBRARY_PATH, /etc/ld.so.conf.d, the usual ones): a few stat calls.
    /// </summary>
    public static bool Findable(string soname)
        => LibraryDirectories().Any(directory => IsLibraryFile(Path.Combine(directory, soname)));

    // A regular file of some size (the soname is a link to it); not a device, nor an empty file.
    private static bool IsLibraryFile(string path)
    {
        try
        {
            FileSystemInfo file = new FileInfo(path);
            if (file.LinkTarget != null) file = file.ResolveLinkTarget(returnFinalTarget: true) ?? file;
            return file is FileInfo { Exists: true, Length: > 1024 };
        }
        catch (IOException)
        {
            return false; // a link that loops
        }
    }

    // LD_LIBRARY_PATH, the directories /etc/ld.so.conf.d names, and the usual ones of Debian and others.
    private static IEnumerable<string> LibraryDirectories()
    {
        foreach (string directory in (Environment.GetEnvironmentVariable("LD_LIBRARY_PATH") ?? "").Split(':'))
            if (directory.StartsWith('/')) yield return directory;
        bool arm64 = RuntimeInformation.ProcessArchitecture == Architecture.Arm64;
        string triplet = arm64 ? "aarch64-linux-gnu" : "x86_64-linux-gnu", foreign = arm64 ? "x86_64-linux-gnu" : "aarch64-linux-gnu";
        string[] usual = [$"/usr/lib/{triplet}", $"/lib/{triplet}", "/usr/lib", "/lib", "/usr/lib64", "/lib64", "/usr/local/lib"];
        foreach (string directory in usual) yield return directory;
        string[] configured;
        try { configured = Directory.GetFiles("/etc/ld.so.conf.d", "*.conf"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { yield break; }
        foreach (string file in configured)
        {
            string[] lines;
            try { lines = File.ReadAllLines(file); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { continue; }
            foreach (string line in lines)
                // A multiarch machine lists the other architecture's directory too: its libraries cannot be loaded.
                if (line.Trim() is ['/', ..] directory && !directory.Contains(foreign, StringComparison.Ordinal)) yield return directory;
        }
    }
}
