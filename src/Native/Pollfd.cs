using System.Runtime.InteropServices;

namespace Edge.Native;

#pragma warning disable CS8981 // the C name
/// <summary>struct pollfd of &lt;poll.h&gt;.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct pollfd
{
    public int fd;
    public short events;
    public short revents;
}
#pragma warning restore CS8981
