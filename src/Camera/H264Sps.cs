namespace Edge.Camera;

/// <summary>
/// The picture size an H.264 sequence parameter set (ITU-T H.264 7.3.2.1.1) gives, cropping applied:
/// what a passed-through camera really sends, whatever its settings say. One pass over at most
/// <see cref="MaxBytes"/> bytes; anything malformed is "no size", never an exception.
/// </summary>
public static class H264Sps
{
    /// <summary>Longer SPS NAL units are not read (real ones are tens of bytes).</summary>
    public const int MaxBytes = 512;

    /// <summary>The size from the first SPS of an access unit (Annex B).</summary>
    public static bool TryGetSize(ReadOnlySpan<byte> accessUnit, out int width, out int height)
    {
        int position = 0;
        while (H264Nal.Next(accessUnit, ref position, out int start, out int length))
        {
            if ((accessUnit[start] & 0x1F) == 7) return TryParse(accessUnit.Slice(start, length), out width, out height);
        }
        width = height = 0;
        return false;
    }

    /// <summary>The size from one SPS NAL unit (its header byte first).</summary>
    public static bool TryParse(ReadOnlySpan<byte> nal, out int width, out int height)
    {
        width = height = 0;
        if (nal.Length < 4 || nal.Length > MaxBytes) return false;
        // The payload without emulation-prevention bytes (00 00 03 → 00 00).
        Span<byte> rbsp = stackalloc byte[nal.Length];
        int n = 0, zeros = 0;
        foreach (byte b in nal[1..])
        {
            if (zeros >= 2 && b == 3) { zeros = 0; continue; }
            zeros = b == 0 ? zeros + 1 : 0;
            rbsp[n++] = b;
        }
        var bits = new BitReader(rbsp[..n]);
        int profile = (int)bits.Read(8);
        bits.Read(16); // constraint flags, level
        bits.Ue(); // seq_parameter_set_id
        uint chroma = 1;
        if (profile is 100 or 110 or 122 or 244 or 44 or 83 or 86 or 118 or 128 or 138 or 139 or 134 or 135)
        {
            chroma = bits.Ue();
            if (chroma > 3) return false;
            if (chroma == 3) bits.Read(1); // separate_colour_plane_flag
            bits.Ue(); // bit depths
            bits.Ue();
            bits.Read(1);
            if (bits.Read(1) == 1) // seq_scaling_matrix_present_flag
            {
                for (int i = 0; i < (chroma == 3 ? 12 : 8); i++)
                    if (bits.Read(1) == 1) SkipScalingList(ref bits, i < 6 ? 16 : 64);
            }
        }
        bits.Ue(); // log2_max_frame_num_minus4
        uint pocType = bits.Ue();
        if (pocType == 0) bits.Ue();
        else if (pocType == 1)
        {
            bits.Read(1);
            bits.Ue();
            bits.Ue();
            uint cycle = bits.Ue();
            if (cycle > 255) return false;
            for (uint i = 0; i < cycle; i++) bits.Ue();
        }
        else if (pocType != 2) return false;
        bits.Ue(); // max_num_ref_frames
        bits.Read(1);
        uint widthInMbs = bits.Ue() + 1, heightInMapUnits = bits.Ue() + 1;
        uint frameMbsOnly = bits.Read(1);
        if (frameMbsOnly == 0) bits.Read(1);
        bits.Read(1); // direct_8x8_inference_flag
        uint left = 0, right = 0, top = 0, bottom = 0;
        if (bits.Read(1) == 1)
        {
            left = bits.Ue();
            right = bits.Ue();
            top = bits.Ue();
            bottom = bits.Ue();
        }
        if (bits.Overrun || widthInMbs > 1024 || heightInMapUnits > 1024) return false;
        // Crop units (Table 6-1): chroma 4:2:0 crops in 2×2, 4:2:2 in 2×1, 4:4:4 and monochrome in 1×1; fields double the rows.
        uint cropX = chroma is 1 or 2 ? 2u : 1u;
        uint cropY = (chroma == 1 ? 2u : 1u) * (2 - frameMbsOnly);
        long w = widthInMbs * 16L - cropX * ((long)left + right);
        long h = (2 - frameMbsOnly) * heightInMapUnits * 16L - cropY * ((long)top + bottom);
        if (w <= 0 || h <= 0) return false;
        (width, height) = ((int)w, (int)h);
        return true;
    }

    private static void SkipScalingList(ref BitReader bits, int size)
    {
        int last = 8, next = 8;
        for (int j = 0; j < size && next != 0 && !bits.Overrun; j++)
        {
            next = (last + bits.Se() + 256) % 256;
            if (next != 0) last = next;
        }
    }

    // MSB-first bits with Exp-Golomb codes; reading past the end sets Overrun and yields zeros.
    private ref struct BitReader(ReadOnlySpan<byte> data)
    {
        private readonly ReadOnlySpan<byte> _data = data;
        private int _bit;

        public bool Overrun { get; private set; }

        public uint Read(int count)
        {
            uint value = 0;
            for (int i = 0; i < count; i++)
            {
                if (_bit >= _data.Length * 8)
                {
                    Overrun = true;
                    return 0;
                }
                value = value << 1 | (uint)(_data[_bit >> 3] >> (7 - (_bit & 7)) & 1);
                _bit++;
            }
            return value;
        }

        public uint Ue()
        {
            int zeros = 0;
            while (Read(1) == 0)
            {
                if (Overrun || ++zeros > 31) { Overrun = true; return 0; }
            }
            return zeros == 0 ? 0 : (uint)((1UL << zeros) - 1 + Read(zeros));
        }

        public int Se()
        {
            uint k = Ue();
            return (k & 1) == 1 ? (int)((k + 1) / 2) : -(int)(k / 2);
        }
    }
}
