using System.Diagnostics;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace Edge.Tests.Support;

/// <summary>
/// A C# mirror of a C struct. For a named union inside a struct (v4l2_buffer.m), <paramref name="Member"/>
/// is the member it stands for, and its field offsets are relative to that member. <paramref name="Paths"/>
/// names the C member of C# fields called otherwise (<c>PicWidth</c> → <c>iPicWidth</c>,
/// <c>LayerWidth</c> → <c>sSpatialLayers[0].iVideoWidth</c>).
/// </summary>
public sealed record CStruct(Type Mirror, string C, string? Member = null, IReadOnlyDictionary<string, string>? Paths = null);

/// <summary>
/// Checks mirrors of kernel structs and constants against the real headers: a generated C program
/// prints every struct's size and each field's offset and size, and the constants; gcc compiles it.
/// Keys are <c>size T</c>, <c>offset T.f</c>, <c>size T.f</c> and the constants' names.
/// </summary>
public static class CLayout
{
    /// <summary>
    /// Fails naming every size, offset and constant of the C# side that differs from what gcc says for
    /// <paramref name="includes"/>; returns how many values were compared.
    /// </summary>
    public static int AssertMatchesHeaders(string[] includes, CStruct[] structs, (string Name, ulong Value)[] constants)
    {
        var expected = Mirrors(structs);
        foreach (var (name, value) in constants) expected[name] = value;
        AssertMatches(expected, Header(includes, structs, constants.Select(constant => constant.Name)));
        return expected.Count;
    }

    /// <summary>What the C# side says: every mirror's size, field offsets and field sizes.</summary>
    private static Dictionary<string, ulong> Mirrors(IEnumerable<CStruct> structs)
    {
        var values = new Dictionary<string, ulong>();
        foreach (var s in structs)
        {
            values[$"size {s.Mirror.Name}"] = (ulong)ManagedSize(s.Mirror);
            foreach (var field in Fields(s.Mirror))
            {
                values[$"offset {s.Mirror.Name}.{field.Name}"] = (ulong)Marshal.OffsetOf(s.Mirror, field.Name);
                values[$"size {s.Mirror.Name}.{field.Name}"] = (ulong)FieldSize(field);
            }
        }
        return values;
    }

    /// <summary>What gcc says for the same structs and for <paramref name="symbols"/> (constants, macros).</summary>
    public static Dictionary<string, ulong> Header(IEnumerable<string> includes, IEnumerable<CStruct> structs, IEnumerable<string> symbols)
    {
        var c = new StringBuilder();
        foreach (string include in includes) c.AppendLine($"#include <{include}>");
        c.AppendLine("""
            #include <stddef.h>
            #include <stdio.h>

            #define SHOW(key, value) printf("%s %llu\n", key, (unsigned long long)(value))

            int main(void)
            {
            """);
        foreach (var s in structs)
        {
            c.AppendLine(s.Member is null
                ? $"SHOW(\"size {s.Mirror.Name}\", sizeof({s.C}));"
                : $"SHOW(\"size {s.Mirror.Name}\", sizeof((({s.C} *)0)->{s.Member}));");
            foreach (var field in Fields(s.Mirror))
            {
                string name = s.Paths?.GetValueOrDefault(field.Name) ?? field.Name;
                string path = s.Member is null ? name : $"{s.Member}.{name}";
                string offset = s.Member is null ? $"offsetof({s.C}, {path})" : $"offsetof({s.C}, {path}) - offsetof({s.C}, {s.Member})";
                c.AppendLine($"SHOW(\"offset {s.Mirror.Name}.{field.Name}\", {offset});");
                c.AppendLine($"SHOW(\"size {s.Mirror.Name}.{field.Name}\", sizeof((({s.C} *)0)->{path}));");
            }
        }
        foreach (string symbol in symbols) c.AppendLine($"SHOW(\"{symbol}\", {symbol});");
        c.AppendLine("return 0;").AppendLine("}");
        return CompileAndRun(c.ToString());
    }

    private static void AssertMatches(Dictionary<string, ulong> expected, Dictionary<string, ulong> header)
    {
        var mismatches = new List<string>();
        foreach (var (key, value) in expected)
        {
            if (!header.TryGetValue(key, out ulong actual)) mismatches.Add($"{key}: not printed by the C program");
            else if (actual != value) mismatches.Add($"{key}: C# {value}, header {actual}");
        }
        Assert.IsEmpty(mismatches, string.Join("\n", mismatches));
    }

    private static FieldInfo[] Fields(Type type) => type.GetFields(BindingFlags.Instance | BindingFlags.Public);

    private static int FieldSize(FieldInfo field) =>
        field.GetCustomAttribute<FixedBufferAttribute>() is { } buffer
            ? buffer.Length * ManagedSize(buffer.ElementType)
            : ManagedSize(field.FieldType);

    // The size sizeof(T) gives in src (Marshal.SizeOf could differ for non-blittable types).
    private static int ManagedSize(Type type) => type.IsPointer ? IntPtr.Size
        : (int)typeof(Unsafe).GetMethod(nameof(Unsafe.SizeOf))!.MakeGenericMethod(type).Invoke(null, null)!;

    private static Dictionary<string, ulong> CompileAndRun(string source)
    {
        var directory = Directory.CreateTempSubdirectory("edge-layout-");
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
            Assert.Fail($"cannot run {file} ({e.Message}): layout tests compile kernel headers; install gcc and linux-libc-dev");
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
