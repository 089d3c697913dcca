namespace Edge.Streaming.WebRtc;

/// <summary>Where a session's DTLS stands.</summary>
internal enum DtlsState { Handshaking, Connected, Closed, Failed }
