using System.Security.Cryptography;
using System.Text;

namespace Edge.Streaming.WebRtc;

/// <summary>
/// A session's ICE username fragment and password (RFC 8839 §5.4: ice-chars, at least 4 and 22 of
/// them), random: the fragment names the session in every STUN request, the password keys its integrity.
/// </summary>
internal sealed class IceCredentials
{
    private const string IceChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    private IceCredentials(string ufrag, string pwd)
    {
        Ufrag = ufrag;
        Pwd = pwd;
        PwdBytes = Encoding.ASCII.GetBytes(pwd);
    }

    public string Ufrag { get; }

    public string Pwd { get; }

    /// <summary>The MESSAGE-INTEGRITY key.</summary>
    public byte[] PwdBytes { get; }

    public static IceCredentials Create()
        => new(RandomNumberGenerator.GetString(IceChars, 8), RandomNumberGenerator.GetString(IceChars, 24));
}
