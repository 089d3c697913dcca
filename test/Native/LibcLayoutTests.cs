using System.Runtime.CompilerServices;
using Edge.Native;
using Edge.Tests.Support;

namespace Edge.Tests.Native;

[TestClass]
public sealed class LibcLayoutTests
{
    private static readonly CStruct[] Structs = [new(typeof(pollfd), "struct pollfd")];

    private static readonly (string Name, ulong Value)[] Constants =
    [
        (nameof(Libc.O_RDWR), Libc.O_RDWR),
        (nameof(Libc.O_NONBLOCK), Libc.O_NONBLOCK),
        (nameof(Libc.O_CLOEXEC), Libc.O_CLOEXEC),
        (nameof(Libc.POLLIN), (ulong)Libc.POLLIN),
        (nameof(Libc.POLLPRI), (ulong)Libc.POLLPRI),
        (nameof(Libc.POLLOUT), (ulong)Libc.POLLOUT),
        (nameof(Libc.POLLERR), (ulong)Libc.POLLERR),
        (nameof(Libc.POLLHUP), (ulong)Libc.POLLHUP),
        (nameof(Libc.POLLNVAL), (ulong)Libc.POLLNVAL),
        (nameof(Libc.ENOENT), Libc.ENOENT),
        (nameof(Libc.EINTR), Libc.EINTR),
        (nameof(Libc.EBADF), Libc.EBADF),
        (nameof(Libc.EAGAIN), Libc.EAGAIN),
        (nameof(Libc.EACCES), Libc.EACCES),
        (nameof(Libc.EPIPE), Libc.EPIPE),
        (nameof(Libc.ERANGE), Libc.ERANGE),
        (nameof(Libc.EBUSY), Libc.EBUSY),
        (nameof(Libc.ENODEV), Libc.ENODEV),
        (nameof(Libc.EINVAL), Libc.EINVAL),
        (nameof(Libc.ENOTTY), Libc.ENOTTY),
    ];

    private static readonly string[] Includes = ["errno.h", "fcntl.h", "poll.h"];

    // statx and AT_EMPTY_PATH as the kernel's headers have them (glibc's fcntl.h hides AT_EMPTY_PATH without _GNU_SOURCE).
    private static readonly (string Name, ulong Value)[] StatxConstants =
    [
        (nameof(Libc.AT_FDCWD), unchecked((ulong)Libc.AT_FDCWD)),
        (nameof(Libc.AT_EMPTY_PATH), Libc.AT_EMPTY_PATH),
        (nameof(Libc.STATX_TYPE), Libc.STATX_TYPE),
        (nameof(Libc.S_IFMT), Libc.S_IFMT),
        (nameof(Libc.S_IFCHR), Libc.S_IFCHR),
    ];

    // The errno symbols Errno.Describe names in messages.
    private static readonly string[] ErrnoNames =
        ["EPERM", "ENOENT", "EIO", "ENXIO", "EBADF", "EAGAIN", "ENOMEM", "EACCES", "EBUSY", "ENODEV", "EINVAL", "ENOTTY", "EPIPE"];

    [TestMethod]
    public void PollfdAndConstantsMatchTheHeadersCompiledByGcc()
    {
        CLayout.AssertMatchesHeaders(Includes, Structs, Constants);
    }

    [TestMethod]
    public void StatxAndItsConstantsMatchTheKernelHeadersCompiledByGcc()
    {
        int compared = CLayout.AssertMatchesHeaders(["sys/stat.h", "linux/stat.h", "linux/fcntl.h"], [new(typeof(statx), "struct statx")],
            StatxConstants);
        Assert.IsGreaterThan(30, compared);
    }

    [TestMethod]
    public void MessagesNameErrnoSymbolsByTheirHeaderNumbers()
    {
        var header = CLayout.Header(Includes, [], ErrnoNames);
        foreach (string name in ErrnoNames) StringAssert.EndsWith(Errno.Describe((int)header[name]), $"({name})");
    }

    [TestMethod]
    public void Arm64ValuesAreTheGenericOnes()
    {
        // arm64 takes these from asm-generic (fcntl.h, poll.h, errno-base.h), as x86_64 does.
        Assert.AreEqual(8, Unsafe.SizeOf<pollfd>());
        // statx has one layout everywhere (struct stat does not): that is why Edge uses it.
        Assert.AreEqual(256, Unsafe.SizeOf<statx>());
        Assert.AreEqual(128, (int)System.Runtime.InteropServices.Marshal.OffsetOf<statx>(nameof(statx.stx_rdev_major)));
        Assert.AreEqual(-100, Libc.AT_FDCWD);
        Assert.AreEqual(0x80000, Libc.O_CLOEXEC);
        Assert.AreEqual(0x800, Libc.O_NONBLOCK);
        Assert.AreEqual(16, Libc.EBUSY);
    }
}
