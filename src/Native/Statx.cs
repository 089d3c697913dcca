using System.Runtime.InteropServices;

namespace Edge.Native;

#pragma warning disable CS8981, CS0169 // the C names; the timestamps are not read
/// <summary>
/// struct statx of &lt;linux/stat.h&gt;: one layout on every architecture (struct stat differs between
/// x86_64 and arm64), with the device numbers apart.
/// </summary>
[StructLayout(LayoutKind.Sequential, Size = 256)]
internal unsafe struct statx
{
    public uint stx_mask;
    public uint stx_blksize;
    public ulong stx_attributes;
    public uint stx_nlink;
    public uint stx_uid;
    public uint stx_gid;
    public ushort stx_mode;
    private ushort _spare0;
    public ulong stx_ino;
    public ulong stx_size;
    public ulong stx_blocks;
    public ulong stx_attributes_mask;
    private fixed byte _timestamps[64];
    public uint stx_rdev_major;
    public uint stx_rdev_minor;
    public uint stx_dev_major;
    public uint stx_dev_minor;
}
#pragma warning restore CS8981, CS0169
