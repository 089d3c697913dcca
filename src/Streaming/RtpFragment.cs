namespace Edge.Streaming;

/// <summary>
/// One RTP packet's payload: <see cref="RtpFrame.Headers"/>[HeaderOffset..+HeaderLength] (the payload
/// header the payloader wrote) followed by frame[DataOffset..+DataLength] (the frame's own bytes).
/// </summary>
/// <param name="Marker">The RTP marker bit: the last packet of the frame or access unit.</param>
public readonly record struct RtpFragment(int HeaderOffset, int HeaderLength, int DataOffset, int DataLength, bool Marker);
