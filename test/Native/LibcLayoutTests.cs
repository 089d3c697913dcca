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
        (nameof(Libc.POLLERR), (ulong)Libc.POLLERR),
        (nameof(Libc.POLLHUP), (ulong)Libc.POLLHUP),
        (nameof(Libc.POLLNVAL), (ulong)Libc.POLLNVAL),
        (nameof(Libc.ENOENT), Libc.ENOENT),
        (nameof(Libc.EINTR), Libc.EINTR),
        (nameof(Libc.EBADF), Libc.EBADF),
        (nameof(Libc.EAGAIN), Libc.EAGAIN),
        (nameof(Libc.EBUSY), Libc.EBUSY),
        (nameof(Libc.ENODEV), Libc.ENODEV),
        (nameof(Libc.EINVAL), Libc.EINVAL),
        (nameof(Libc.ENOTTY), Libc.ENOTTY),
    ];

    private static readonly string[] Includes = ["errno.h", "fcntl.h", "poll.h"];

    // The errno symbols Errno.Describe names in messages.
    private static readonly string[] ErrnoNames =
        ["EPERM", "ENOENT", "EIO", "ENXIO", "EBADF", "EAGAIN", "ENOMEM", "EACCES", "EBUSY", "ENODEV", "EINVAL", "ENOTTY", "EPIPE"];

    [TestMethod]
    public void PollfdAndConstantsMatchTheHeadersCompiledByGcc()
    {
        CLayout.AssertMatchesHeaders(Includes, Structs, Constants);
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
        Assert.AreEqual(0x80000, Libc.O_CLOEXEC);
        Assert.AreEqual(0x800, Libc.O_NONBLOCK);
        Assert.AreEqual(16, Libc.EBUSY);
    }
}
