using Edge.Native;

namespace Edge.Hosting;

/// <summary>
/// Transparent huge pages off for Edge's own memory. Kernels built with THP "always" (Debian's) back
/// each 2 MB range of the GC's heap that Edge touches with a whole huge page, and khugepaged later
/// fills sparse ranges in: on an idle board that was RSS growing by megabytes. A server of 20 MB
/// gains nothing from huge pages. Inherited by the programs Edge starts (pipe cameras).
/// </summary>
public static class HugePages
{
    private const int PR_SET_THP_DISABLE = 41;

    /// <summary>Asks the kernel to back Edge's memory with small pages from now on; false where it cannot (Linux before 3.15).</summary>
    public static bool Disable() => Libc.Prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0) == 0;
}
