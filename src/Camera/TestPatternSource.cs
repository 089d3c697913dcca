namespace Edge.Camera;

/// <summary>
/// The camera of a fresh install: colour bars, a box moving across them and the time of day, drawn
/// straight into planar YUV. Without viewers it draws nothing (it only reports a heartbeat each
/// second, and holds no frame memory) and wakes at once when someone watches.
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
        var rows = BackgroundRows();
        var interval = TimeSpan.FromSeconds(1.0 / fps);
        long next = time.GetTimestamp();
        while (!cancellationToken.IsCancellationRequested)
        {
            if (!output.Demand)
            {
                output.Heartbeat();
                output.WaitForDemand(Heartbeat, cancellationToken);
                next = time.GetTimestamp();
                continue;
            }
            long sequence = output.NextSequence();
            var frame = Frame.Rent(bytes, layout, width, height, sequence, time.GetTimestamp());
            DrawBackground(frame.Buffer, rows);
            Draw(frame.Buffer, sequence, time.GetLocalNow());
            output.Write(frame);

            next += (long)(interval.TotalSeconds * time.TimestampFrequency);
            var wait = time.GetElapsedTime(time.GetTimestamp(), next);
            if (wait > TimeSpan.Zero) cancellationToken.WaitHandle.WaitOne(wait);
            else if (wait < -interval) next = time.GetTimestamp(); // fell behind: don't burst to catch up
        }
    }

    private int ChromaHeight => layout == PixelFormat.I420 ? height / 2 : height;

    // The four distinct rows of the background (luma and chroma, in the bars and in the ramp below
    // them); each frame is made of copies of these, so no frame-sized background is kept.
    private (byte[] BarsY, byte[] RampY, byte[] BarsU, byte[] BarsV) BackgroundRows()
    {
        int barWidth = (width + Bars.Length - 1) / Bars.Length;
        var barsY = new byte[width];
        var rampY = new byte[width];
        for (int x = 0; x < width; x++)
        {
            barsY[x] = Bars[x / barWidth].Y;
            rampY[x] = (byte)(16 + 219 * x / width);
        }
        var barsU = new byte[width / 2];
        var barsV = new byte[width / 2];
        for (int x = 0; x < width / 2; x++)
        {
            var bar = Bars[Math.Min(x * 2 / barWidth, Bars.Length - 1)];
            barsU[x] = bar.U;
            barsV[x] = bar.V;
        }
        return (barsY, rampY, barsU, barsV);
    }

    private void DrawBackground(Span<byte> planes, (byte[] BarsY, byte[] RampY, byte[] BarsU, byte[] BarsV) rows)
    {
        int barsEnd = height * 2 / 3;
        for (int row = 0; row < height; row++) (row < barsEnd ? rows.BarsY : rows.RampY).CopyTo(planes.Slice(row * width, width));
        int chromaWidth = width / 2, chromaPlane = chromaWidth * ChromaHeight;
        for (int row = 0; row < ChromaHeight; row++)
        {
            var u = planes.Slice(width * height + row * chromaWidth, chromaWidth);
            var v = planes.Slice(width * height + chromaPlane + row * chromaWidth, chromaWidth);
            if (row * height / ChromaHeight < barsEnd)
            {
                rows.BarsU.CopyTo(u);
                rows.BarsV.CopyTo(v);
            }
            else
            {
                u.Fill(128);
                v.Fill(128);
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
