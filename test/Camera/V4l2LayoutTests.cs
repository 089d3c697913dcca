using System.Diagnostics;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Edge.Camera.V4l2;

namespace Edge.Tests.Camera;

[TestClass]
public sealed class V4l2LayoutTests
{
    // Every mirrored struct: its C type and, for a named union inside a struct (v4l2_buffer.m),
    // the member it stands for; that union's field offsets are relative to the member.
    private static readonly (Type Type, string C, string? Member)[] Structs =
    [
        (typeof(v4l2_capability), "struct v4l2_capability", null),
        (typeof(v4l2_fmtdesc), "struct v4l2_fmtdesc", null),
        (typeof(v4l2_fract), "struct v4l2_fract", null),
        (typeof(v4l2_frmsize_discrete), "struct v4l2_frmsize_discrete", null),
        (typeof(v4l2_frmsize_stepwise), "struct v4l2_frmsize_stepwise", null),
        (typeof(v4l2_frmsizeenum), "struct v4l2_frmsizeenum", null),
        (typeof(v4l2_frmival_stepwise), "struct v4l2_frmival_stepwise", null),
        (typeof(v4l2_frmivalenum), "struct v4l2_frmivalenum", null),
        (typeof(v4l2_pix_format), "struct v4l2_pix_format", null),
        (typeof(v4l2_format), "struct v4l2_format", null),
        (typeof(v4l2_format_fmt), "struct v4l2_format", "fmt"),
        (typeof(v4l2_captureparm), "struct v4l2_captureparm", null),
        (typeof(v4l2_streamparm), "struct v4l2_streamparm", null),
        (typeof(v4l2_streamparm_parm), "struct v4l2_streamparm", "parm"),
        (typeof(v4l2_requestbuffers), "struct v4l2_requestbuffers", null),
        (typeof(v4l2_timecode), "struct v4l2_timecode", null),
        (typeof(timeval), "struct timeval", null),
        (typeof(v4l2_buffer), "struct v4l2_buffer", null),
        (typeof(v4l2_buffer_m), "struct v4l2_buffer", "m"),
        (typeof(pollfd), "struct pollfd", null),
    ];

    private static readonly (string Name, ulong Value)[] Constants =
    [
        (nameof(V4l2Ioctl.VIDIOC_QUERYCAP), V4l2Ioctl.VIDIOC_QUERYCAP),
        (nameof(V4l2Ioctl.VIDIOC_ENUM_FMT), V4l2Ioctl.VIDIOC_ENUM_FMT),
        (nameof(V4l2Ioctl.VIDIOC_G_FMT), V4l2Ioctl.VIDIOC_G_FMT),
        (nameof(V4l2Ioctl.VIDIOC_S_FMT), V4l2Ioctl.VIDIOC_S_FMT),
        (nameof(V4l2Ioctl.VIDIOC_REQBUFS), V4l2Ioctl.VIDIOC_REQBUFS),
        (nameof(V4l2Ioctl.VIDIOC_QUERYBUF), V4l2Ioctl.VIDIOC_QUERYBUF),
        (nameof(V4l2Ioctl.VIDIOC_QBUF), V4l2Ioctl.VIDIOC_QBUF),
        (nameof(V4l2Ioctl.VIDIOC_DQBUF), V4l2Ioctl.VIDIOC_DQBUF),
        (nameof(V4l2Ioctl.VIDIOC_STREAMON), V4l2Ioctl.VIDIOC_STREAMON),
        (nameof(V4l2Ioctl.VIDIOC_STREAMOFF), V4l2Ioctl.VIDIOC_STREAMOFF),
        (nameof(V4l2Ioctl.VIDIOC_G_PARM), V4l2Ioctl.VIDIOC_G_PARM),
        (nameof(V4l2Ioctl.VIDIOC_S_PARM), V4l2Ioctl.VIDIOC_S_PARM),
        (nameof(V4l2Ioctl.VIDIOC_ENUM_FRAMESIZES), V4l2Ioctl.VIDIOC_ENUM_FRAMESIZES),
        (nameof(V4l2Ioctl.VIDIOC_ENUM_FRAMEINTERVALS), V4l2Ioctl.VIDIOC_ENUM_FRAMEINTERVALS),
        (nameof(V4l2Ioctl.V4L2_BUF_TYPE_VIDEO_CAPTURE), V4l2Ioctl.V4L2_BUF_TYPE_VIDEO_CAPTURE),
        (nameof(V4l2Ioctl.V4L2_MEMORY_MMAP), V4l2Ioctl.V4L2_MEMORY_MMAP),
        (nameof(V4l2Ioctl.V4L2_CAP_VIDEO_CAPTURE), V4l2Ioctl.V4L2_CAP_VIDEO_CAPTURE),
        (nameof(V4l2Ioctl.V4L2_CAP_STREAMING), V4l2Ioctl.V4L2_CAP_STREAMING),
        (nameof(V4l2Ioctl.V4L2_CAP_DEVICE_CAPS), V4l2Ioctl.V4L2_CAP_DEVICE_CAPS),
        (nameof(V4l2Ioctl.V4L2_CAP_TIMEPERFRAME), V4l2Ioctl.V4L2_CAP_TIMEPERFRAME),
        (nameof(V4l2Ioctl.V4L2_FMT_FLAG_COMPRESSED), V4l2Ioctl.V4L2_FMT_FLAG_COMPRESSED),
        (nameof(V4l2Ioctl.V4L2_BUF_FLAG_ERROR), V4l2Ioctl.V4L2_BUF_FLAG_ERROR),
        (nameof(V4l2Ioctl.V4L2_FIELD_ANY), V4l2Ioctl.V4L2_FIELD_ANY),
        (nameof(V4l2Ioctl.V4L2_FIELD_NONE), V4l2Ioctl.V4L2_FIELD_NONE),
        (nameof(V4l2Ioctl.V4L2_FRMSIZE_TYPE_DISCRETE), V4l2Ioctl.V4L2_FRMSIZE_TYPE_DISCRETE),
        (nameof(V4l2Ioctl.V4L2_FRMSIZE_TYPE_CONTINUOUS), V4l2Ioctl.V4L2_FRMSIZE_TYPE_CONTINUOUS),
        (nameof(V4l2Ioctl.V4L2_FRMSIZE_TYPE_STEPWISE), V4l2Ioctl.V4L2_FRMSIZE_TYPE_STEPWISE),
        (nameof(V4l2Ioctl.V4L2_FRMIVAL_TYPE_DISCRETE), V4l2Ioctl.V4L2_FRMIVAL_TYPE_DISCRETE),
        (nameof(V4l2Ioctl.V4L2_FRMIVAL_TYPE_CONTINUOUS), V4l2Ioctl.V4L2_FRMIVAL_TYPE_CONTINUOUS),
        (nameof(V4l2Ioctl.V4L2_FRMIVAL_TYPE_STEPWISE), V4l2Ioctl.V4L2_FRMIVAL_TYPE_STEPWISE),
        (nameof(V4l2Ioctl.V4L2_PIX_FMT_MJPEG), V4l2Ioctl.V4L2_PIX_FMT_MJPEG),
        (nameof(V4l2Ioctl.V4L2_PIX_FMT_JPEG), V4l2Ioctl.V4L2_PIX_FMT_JPEG),
        (nameof(V4l2Ioctl.V4L2_PIX_FMT_YUYV), V4l2Ioctl.V4L2_PIX_FMT_YUYV),
        (nameof(V4l2Ioctl.V4L2_PIX_FMT_NV12), V4l2Ioctl.V4L2_PIX_FMT_NV12),
        (nameof(V4l2Ioctl.V4L2_PIX_FMT_YUV420), V4l2Ioctl.V4L2_PIX_FMT_YUV420),
        (nameof(V4l2Ioctl.V4L2_PIX_FMT_H264), V4l2Ioctl.V4L2_PIX_FMT_H264),
        (nameof(V4l2Native.O_RDWR), V4l2Native.O_RDWR),
        (nameof(V4l2Native.O_NONBLOCK), V4l2Native.O_NONBLOCK),
        (nameof(V4l2Native.O_CLOEXEC), V4l2Native.O_CLOEXEC),
        (nameof(V4l2Native.PROT_READ), V4l2Native.PROT_READ),
        (nameof(V4l2Native.PROT_WRITE), V4l2Native.PROT_WRITE),
        (nameof(V4l2Native.MAP_SHARED), V4l2Native.MAP_SHARED),
        (nameof(V4l2Native.POLLIN), (ulong)V4l2Native.POLLIN),
        (nameof(V4l2Native.POLLERR), (ulong)V4l2Native.POLLERR),
        (nameof(V4l2Native.POLLHUP), (ulong)V4l2Native.POLLHUP),
        (nameof(V4l2Native.POLLNVAL), (ulong)V4l2Native.POLLNVAL),
        (nameof(V4l2Native.EINTR), V4l2Native.EINTR),
        (nameof(V4l2Native.EAGAIN), V4l2Native.EAGAIN),
        (nameof(V4l2Native.ENODEV), V4l2Native.ENODEV),
        (nameof(V4l2Native.EINVAL), V4l2Native.EINVAL),
        (nameof(V4l2Native.ENOTTY), V4l2Native.ENOTTY),
    ];

    // The errno symbols V4l2Exception names in its messages.
    private static readonly string[] ErrnoNames =
        ["EPERM", "ENOENT", "EIO", "ENXIO", "EAGAIN", "ENOMEM", "EACCES", "EBUSY", "ENODEV", "EINVAL", "ENOTTY", "EPIPE"];

    [TestMethod]
    public void StructsAndConstantsMatchTheKernelHeaderCompiledByGcc()
    {
        var actual = CompileAndRun(CProgram());
        var expected = Expected();
        var mismatches = new List<string>();
        foreach (var (key, value) in expected)
        {
            if (!actual.TryGetValue(key, out ulong header)) mismatches.Add($"{key}: not printed by the C program");
            else if (header != value) mismatches.Add($"{key}: C# {value}, header {header}");
        }
        Assert.IsEmpty(mismatches, string.Join("\n", mismatches));
        Assert.IsGreaterThan(200, expected.Count); // every field of every struct, not a handful
    }

    [TestMethod]
    public void ExceptionMessagesNameErrnoSymbolsByTheirHeaderNumbers()
    {
        var actual = CompileAndRun(CProgram());
        foreach (string name in ErrnoNames)
        {
            StringAssert.EndsWith(V4l2Exception.Describe((int)actual[name]), $"({name})");
        }
    }

    [TestMethod]
    public void Arm64ValuesEqualTheHeaderArithmetic()
    {
        // arm64 uses the asm-generic ioctl encoding and the LP64 layout rules of x86_64, so its
        // numbers are the x86_64 ones; these literals were printed by gcc from <linux/videodev2.h>.
        Assert.AreEqual(0x80685600UL, (ulong)V4l2Ioctl.VIDIOC_QUERYCAP);
        Assert.AreEqual(0xc0405602UL, (ulong)V4l2Ioctl.VIDIOC_ENUM_FMT);
        Assert.AreEqual(0xc0d05604UL, (ulong)V4l2Ioctl.VIDIOC_G_FMT);
        Assert.AreEqual(0xc0d05605UL, (ulong)V4l2Ioctl.VIDIOC_S_FMT);
        Assert.AreEqual(0xc0145608UL, (ulong)V4l2Ioctl.VIDIOC_REQBUFS);
        Assert.AreEqual(0xc0585609UL, (ulong)V4l2Ioctl.VIDIOC_QUERYBUF);
        Assert.AreEqual(0xc058560fUL, (ulong)V4l2Ioctl.VIDIOC_QBUF);
        Assert.AreEqual(0xc0585611UL, (ulong)V4l2Ioctl.VIDIOC_DQBUF);
        Assert.AreEqual(0x40045612UL, (ulong)V4l2Ioctl.VIDIOC_STREAMON);
        Assert.AreEqual(0x40045613UL, (ulong)V4l2Ioctl.VIDIOC_STREAMOFF);
        Assert.AreEqual(0xc0cc5615UL, (ulong)V4l2Ioctl.VIDIOC_G_PARM);
        Assert.AreEqual(0xc0cc5616UL, (ulong)V4l2Ioctl.VIDIOC_S_PARM);
        Assert.AreEqual(0xc02c564aUL, (ulong)V4l2Ioctl.VIDIOC_ENUM_FRAMESIZES);
        Assert.AreEqual(0xc034564bUL, (ulong)V4l2Ioctl.VIDIOC_ENUM_FRAMEINTERVALS);

        Assert.AreEqual(104, Unsafe.SizeOf<v4l2_capability>());
        Assert.AreEqual(64, Unsafe.SizeOf<v4l2_fmtdesc>());
        Assert.AreEqual(44, Unsafe.SizeOf<v4l2_frmsizeenum>());
        Assert.AreEqual(52, Unsafe.SizeOf<v4l2_frmivalenum>());
        Assert.AreEqual(48, Unsafe.SizeOf<v4l2_pix_format>());
        Assert.AreEqual(208, Unsafe.SizeOf<v4l2_format>());
        Assert.AreEqual(40, Unsafe.SizeOf<v4l2_captureparm>());
        Assert.AreEqual(204, Unsafe.SizeOf<v4l2_streamparm>());
        Assert.AreEqual(20, Unsafe.SizeOf<v4l2_requestbuffers>());
        Assert.AreEqual(16, Unsafe.SizeOf<v4l2_timecode>());
        Assert.AreEqual(88, Unsafe.SizeOf<v4l2_buffer>());
        Assert.AreEqual(8, Unsafe.SizeOf<v4l2_fract>());

        Assert.AreEqual(8, (int)Marshal.OffsetOf<v4l2_format>(nameof(v4l2_format.fmt)));
        Assert.AreEqual(4, (int)Marshal.OffsetOf<v4l2_streamparm>(nameof(v4l2_streamparm.parm)));
        Assert.AreEqual(24, (int)Marshal.OffsetOf<v4l2_buffer>(nameof(v4l2_buffer.timestamp)));
        Assert.AreEqual(40, (int)Marshal.OffsetOf<v4l2_buffer>(nameof(v4l2_buffer.timecode)));
        Assert.AreEqual(56, (int)Marshal.OffsetOf<v4l2_buffer>(nameof(v4l2_buffer.sequence)));
        Assert.AreEqual(64, (int)Marshal.OffsetOf<v4l2_buffer>(nameof(v4l2_buffer.m)));
        Assert.AreEqual(72, (int)Marshal.OffsetOf<v4l2_buffer>(nameof(v4l2_buffer.length)));
        Assert.AreEqual(80, (int)Marshal.OffsetOf<v4l2_buffer>(nameof(v4l2_buffer.request_fd)));
    }

    private static string CProgram()
    {
        var c = new StringBuilder("""
            #include <errno.h>
            #include <fcntl.h>
            #include <poll.h>
            #include <stddef.h>
            #include <stdio.h>
            #include <sys/mman.h>
            #include <sys/time.h>
            #include <linux/videodev2.h>

            #define SHOW(key, value) printf("%s %llu\n", key, (unsigned long long)(value))

            int main(void)
            {

            """);
        foreach (var (type, cType, member) in Structs)
        {
            c.AppendLine(member is null
                ? $"SHOW(\"size {type.Name}\", sizeof({cType}));"
                : $"SHOW(\"size {type.Name}\", sizeof((({cType} *)0)->{member}));");
            foreach (var field in Fields(type))
            {
                string path = member is null ? field.Name : $"{member}.{field.Name}";
                string offset = member is null ? $"offsetof({cType}, {path})" : $"offsetof({cType}, {path}) - offsetof({cType}, {member})";
                c.AppendLine($"SHOW(\"offset {type.Name}.{field.Name}\", {offset});");
                c.AppendLine($"SHOW(\"size {type.Name}.{field.Name}\", sizeof((({cType} *)0)->{path}));");
            }
        }
        foreach (var (name, _) in Constants) c.AppendLine($"SHOW(\"{name}\", {name});");
        foreach (string name in ErrnoNames.Except(Constants.Select(constant => constant.Name))) c.AppendLine($"SHOW(\"{name}\", {name});");
        c.AppendLine("return 0;").AppendLine("}");
        return c.ToString();
    }

    private static Dictionary<string, ulong> Expected()
    {
        var expected = Constants.ToDictionary(constant => constant.Name, constant => constant.Value);
        foreach (var (type, _, _) in Structs)
        {
            expected[$"size {type.Name}"] = (ulong)ManagedSize(type);
            foreach (var field in Fields(type))
            {
                expected[$"offset {type.Name}.{field.Name}"] = (ulong)Marshal.OffsetOf(type, field.Name);
                expected[$"size {type.Name}.{field.Name}"] = (ulong)FieldSize(field);
            }
        }
        return expected;
    }

    private static FieldInfo[] Fields(Type type) => type.GetFields(BindingFlags.Instance | BindingFlags.Public);

    private static int FieldSize(FieldInfo field) =>
        field.GetCustomAttribute<FixedBufferAttribute>() is { } buffer
            ? buffer.Length * ManagedSize(buffer.ElementType)
            : ManagedSize(field.FieldType);

    // The size sizeof(T) gives in src (Marshal.SizeOf could differ for non-blittable types).
    private static int ManagedSize(Type type) =>
        (int)typeof(Unsafe).GetMethod(nameof(Unsafe.SizeOf))!.MakeGenericMethod(type).Invoke(null, null)!;

    private static Dictionary<string, ulong> CompileAndRun(string source)
    {
        var directory = Directory.CreateTempSubdirectory("edge-v4l2-layout-");
        try
        {
            string program = Path.Combine(directory.FullName, "layout");
            File.WriteAllText(program + ".c", source);
            var (compiled, _, compileErrors) = Run("gcc", "-Wall", "-o", program, program + ".c");
            Assert.AreEqual(0, compiled, $"gcc could not compile the layout probe:\n{compileErrors}\n{source}");
            var (exit, output, errors) = Run(program);
            Assert.AreEqual(0, exit, errors);
            return output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(line => line.Split(' '))
                .ToDictionary(parts => string.Join(' ', parts[..^1]), parts => ulong.Parse(parts[^1]));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static (int ExitCode, string Output, string Errors) Run(string file, params string[] arguments)
    {
        Process process;
        try
        {
            process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Assert.Fail($"cannot run {file} ({e.Message}): this test compiles <linux/videodev2.h>; install gcc and linux-libc-dev");
            throw;
        }
        using (process)
        {
            var errors = process.StandardError.ReadToEndAsync();
            string output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode, output, errors.Result);
        }
    }
}
