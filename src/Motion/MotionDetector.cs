namespace Edge.Motion;

/// <summary>
/// Motion in a small luma picture (the camera's, scaled down): each picture is compared with a background
/// that follows the scene with a time constant of <see cref="BackgroundSeconds"/>. Before comparing, the
/// background is fitted to the picture by a least-squares gain and offset over the watched area (and
/// again without what the first fit left far off), so a light switched on or an exposure change (the
/// whole picture brighter or darker) is not motion; what differs from the fitted background by more than
/// the sensitivity's threshold has changed. (One flat change of the whole watched area looks like light
/// and is taken for it.) One picture
/// at a time, on one thread; no allocation after the first picture of a size.
/// </summary>
public sealed class MotionDetector
{
    /// <summary>How fast the background takes in what stays: about this many seconds to follow a change.</summary>
    public const double BackgroundSeconds = 4;

    private ushort[] _background = []; // luma in 8.8 fixed point
    private byte[] _watched = [];
    private int _width, _height, _watchedCount;
    private string[]? _zones;
    private double _lastSeconds;

    /// <summary>
    /// Analyses one picture of <paramref name="width"/>×<paramref name="height"/> (rows of
    /// <paramref name="stride"/> bytes) taken at <paramref name="seconds"/>; returns the percent of the
    /// watched area that changed, or 0 for the first picture of a size or of new zones (it becomes the background).
    /// </summary>
    public double Analyse(ReadOnlySpan<byte> luma, int width, int height, int stride, double seconds, int sensitivity, string[]? zones)
    {
        if (width != _width || height != _height || !SameZones(zones))
        {
            Reset(luma, width, height, stride, zones);
            _lastSeconds = seconds;
            return 0;
        }
        double elapsed = seconds - _lastSeconds;
        _lastSeconds = seconds;
        if (_watchedCount == 0) return 0;
        // Sensitivity 100 counts a difference of 4 levels (of 219), 50 one of 24, 1 one of 44.
        double threshold = 4 + (100 - sensitivity) * 0.4;
        // Fitted twice: the second time without what the first fit leaves far off (the moving things), so
        // they do not bend the fit. When most of the area is far off, it was no change of light.
        var (gain, offset, _) = Fit(luma, stride, 0, 0, double.PositiveInfinity);
        (gain, offset, int fitted) = Fit(luma, stride, gain, offset, threshold);
        if (fitted < _watchedCount / 2) (gain, offset) = (1.0 / 256, 0);
        int changed = 0;
        for (int y = 0; y < height; y++)
        {
            var row = luma.Slice(y * stride, width);
            int index = y * width;
            for (int x = 0; x < width; x++, index++)
            {
                if (_watched[index] == 0) continue;
                double expected = gain * _background[index] + offset;
                if (Math.Abs(row[x] - expected) > threshold) changed++;
            }
        }
        Learn(luma, stride, elapsed);
        return changed * 100.0 / _watchedCount;
    }

    // Least squares of picture = gain × background + offset over the watched pixels within threshold of
    // the given fit (all of them for an infinite threshold); a flat background has no gain to fit.
    private (double Gain, double Offset, int Count) Fit(ReadOnlySpan<byte> luma, int stride, double gain, double offset, double threshold)
    {
        long sumB = 0, sumL = 0, sumBB = 0, sumBL = 0;
        int count = 0;
        for (int y = 0; y < _height; y++)
        {
            var row = luma.Slice(y * stride, _width);
            int index = y * _width;
            for (int x = 0; x < _width; x++, index++)
            {
                if (_watched[index] == 0) continue;
                long b = _background[index], l = row[x];
                if (Math.Abs(l - (gain * b + offset)) > threshold) continue;
                sumB += b;
                sumL += l;
                sumBB += b * b;
                sumBL += b * l;
                count++;
            }
        }
        if (count == 0) return (1.0 / 256, 0, 0);
        double n = count, meanB = sumB / n, meanL = sumL / n;
        double varianceB = sumBB / n - meanB * meanB, covariance = sumBL / n - meanB * meanL;
        // Below a spread of about 2 levels (in 8.8: 512 squared) the gain is noise: only the offset is fitted.
        double fittedGain = varianceB > 512.0 * 512.0 ? Math.Clamp(covariance / varianceB, 0.5 / 256, 2.0 / 256) : 1.0 / 256;
        return (fittedGain, meanL - fittedGain * meanB, count);
    }

    // The background moves toward the picture by the share of BackgroundSeconds that elapsed.
    private void Learn(ReadOnlySpan<byte> luma, int stride, double elapsed)
    {
        double share = elapsed > 0 ? 1 - Math.Exp(-elapsed / BackgroundSeconds) : 0;
        int weight = (int)Math.Round(share * 65536);
        if (weight == 0) return;
        for (int y = 0; y < _height; y++)
        {
            var row = luma.Slice(y * stride, _width);
            int index = y * _width;
            for (int x = 0; x < _width; x++, index++)
            {
                int b = _background[index];
                _background[index] = (ushort)(b + (int)(((long)((row[x] << 8) - b) * weight) >> 16));
            }
        }
    }

    private void Reset(ReadOnlySpan<byte> luma, int width, int height, int stride, string[]? zones)
    {
        _width = width;
        _height = height;
        _zones = zones is null ? null : [.. zones];
        if (_background.Length != width * height)
        {
            _background = new ushort[width * height];
            _watched = new byte[width * height];
        }
        _watchedCount = 0;
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                int index = y * width + x;
                _background[index] = (ushort)(luma[y * stride + x] << 8);
                bool watched = Watched(zones, x, y, width, height);
                _watched[index] = watched ? (byte)1 : (byte)0;
                if (watched) _watchedCount++;
            }
        }
    }

    // A pixel is watched when any zone cell it overlaps is: a grid finer than the picture loses no cell.
    private static bool Watched(string[]? zones, int x, int y, int width, int height)
    {
        if (zones is null || zones.Length == 0) return true;
        int rows = zones.Length, columns = zones[0].Length;
        for (int row = y * rows / height; row <= ((y + 1) * rows - 1) / height; row++)
            for (int column = x * columns / width; column <= ((x + 1) * columns - 1) / width; column++)
                if (zones[row][column] == '#') return true;
        return false;
    }

    private bool SameZones(string[]? zones)
    {
        if (zones is null || zones.Length == 0) return _zones is null || _zones.Length == 0;
        return _zones is not null && zones.AsSpan().SequenceEqual(_zones);
    }
}
