using System.Globalization;

namespace Edge.Hosting;

/// <summary>A command's <c>--size WIDTHxHEIGHT</c>: even, 16 to <c>max</c> each (bench-encode, codec-check).</summary>
public static class FrameSizeArgument
{
    public static bool TryParse(string size, int max, out int width, out int height, out string? problem)
    {
        var parts = size.Split('x');
        height = 0;
        problem = null;
        if (parts.Length == 2 && int.TryParse(parts[0], CultureInfo.InvariantCulture, out width)
            && int.TryParse(parts[1], CultureInfo.InvariantCulture, out height)
            && width >= 16 && width <= max && height >= 16 && height <= max && (width & 1) == 0 && (height & 1) == 0)
            return true;
        width = height = 0;
        problem = $"bad --size '{size}' (even WIDTHxHEIGHT, 16 to {max} each)";
        return false;
    }
}
