namespace Edge.Camera;

/// <summary>
/// The camera of a fresh install: colour bars, a box moving across them and the time of day, drawn
/// straight into planar YUV. Without viewers it draws one frame a second (a heartbeat) and wakes at
/// once when someone watches.
/// </summary>
public sealed class TestPatternSource(int width, int height, int fps, PixelFormat layout) : IFrameSource
{
    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(1);

    // BT.601 studio-range YUV of white, yellow, cyan, green, magenta, red, blue, black.
    private static readonly (byte Y, byte U, byte V)[] Bars =
        [(235, 128, 128), (210, 16, 146), (170, 166, 16), (145, 54, 34), (106, 202, 222), (81, 90, 240), (41, 240, 110), (16, 128, 128)];

    public string Description => $"test pattern {width}x{height} at {fps} fps";

    public void Run(CaptureOutput output, CancellationToken cancellationToken)
    {
        var time = output.Time;
        int bytes = PixelFormats.PlanarBytes(layout, width, height);
        var background = new byte[bytes];
        DrawBackground(background);
        var interval = TimeSpan.FromSeconds(1.0 / fps);
        long next = time.GetTimestamp();
        while (!cancellationToken.IsCancellationRequested)
        {
            long sequence = output.NextSequence();
            var frame = Frame.Rent(bytes, layout, width, height, sequence, time.GetTimestamp());
            background.CopyTo(frame.Buffer);
            Draw(frame.Buffer, sequence, time.GetLocalNow());
            output.Write(frame);

            if (!output.Demand)
            {
                output.WaitForDemand(Heartbeat, cancellationToken);
                next = time.GetTimestamp();
                continue;
            }
            next += (long)(interval.TotalSeconds * time.TimestampFrequency);
            var wait = time.GetElapsedTime(time.GetTimestamp(), next);
            if (wait > TimeSpan.Zero) cancellationToken.WaitHandle.WaitOne(wait);
            else if (wait < -interval) next = time.GetTimestamp(); // fell behind: don't burst to catch up
        }
    }

    private int ChromaHeight => layout == PixelFormat.I420 ? height / 2 : height;

    private void DrawBackground(Span<byte> planes)
    {
        int barWidth = (width + Bars.Length - 1) / Bars.Length;
        int barsEnd = height * 2 / 3;
        for (int row = 0; row < height; row++)
            for (int x = 0; x < width; x++)
                planes[row * width + x] = row < barsEnd ? Bars[x / barWidth].Y : (byte)(16 + 219 * x / width);
        int chromaWidth = width / 2;
        var u = planes.Slice(width * height, chromaWidth * ChromaHeight);
        var v = planes.Slice(width * height + chromaWidth * ChromaHeight, chromaWidth * ChromaHeight);
        for (int row = 0; row < ChromaHeight; row++)
        {
            bool inBars = row * height / ChromaHeight < barsEnd;
            for (int x = 0; x < chromaWidth; x++)
            {
                var bar = Bars[Math.Min(x * 2 / barWidth, Bars.Length - 1)];
                u[row * chromaWidth + x] = inBars ? bar.U : (byte)128;
                v[row * chromaWidth + x] = inBars ? bar.V : (byte)128;
            }
        }
    }

    private void Draw(Span<byte> planes, long sequence, DateTimeOffset now)
    {
        int scale = Math.Max(1, height / 180);
        // A grey box sweeping across in four seconds shows motion (and dropped frames) at a glance.
        int box = Math.Max(8, height / 8) & ~1;
        int period = Math.Max(1, fps * 4);
        int boxX = (int)((sequence % period) * (width - box) / period) & ~1;
        FillRectangle(planes, boxX, height / 3 - box / 2 & ~1, box, box, 180);

        string text = $"EDGE {now:HH:mm:ss.fff} #{sequence}";
        int textHeight = Font.GlyphHeight * scale, margin = 2 * scale;
        int textWidth = Math.Min(text.Length * Font.Advance * scale + 2 * margin, width) & ~1;
        int top = (height - textHeight - 4 * margin) & ~1;
        FillRectangle(planes, 0, top, textWidth, textHeight + 2 * margin, 16);
        Font.Draw(planes[..(width * height)], width, height, margin, top + margin, text, scale, 235);
    }

    // A neutral (grey-scale) rectangle: luma as given, chroma at 128. x, y, w and h are even.
    private void FillRectangle(Span<byte> planes, int x, int y, int w, int h, byte luma)
    {
        w = Math.Min(w, width - x);
        h = Math.Min(h, height - y);
        if (w <= 0 || h <= 0) return;
        for (int row = y; row < y + h; row++) planes.Slice(row * width + x, w).Fill(luma);
        int chromaWidth = width / 2, chromaPlane = chromaWidth * ChromaHeight;
        int rowStep = layout == PixelFormat.I420 ? 2 : 1;
        for (int row = y / rowStep; row < (y + h) / rowStep; row++)
        {
            planes.Slice(width * height + row * chromaWidth + x / 2, w / 2).Fill(128);
            planes.Slice(width * height + chromaPlane + row * chromaWidth + x / 2, w / 2).Fill(128);
        }
    }
}
