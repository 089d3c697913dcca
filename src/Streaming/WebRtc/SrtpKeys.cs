namespace Edge.Streaming.WebRtc;

/// <summary>
/// The SRTP master keys a DTLS handshake agreed (RFC 5764 §4.2): Edge's to send with, the peer's to read its SRTCP with.
/// </summary>
internal sealed class SrtpKeys(byte[] localKey, byte[] localSalt, byte[] remoteKey, byte[] remoteSalt)
{
    public byte[] LocalKey { get; } = localKey;

    public byte[] LocalSalt { get; } = localSalt;

    public byte[] RemoteKey { get; } = remoteKey;

    public byte[] RemoteSalt { get; } = remoteSalt;
}
