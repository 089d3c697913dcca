using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Edge.Native;

namespace Edge.Streaming.WebRtc;

/// <summary>
/// What every DTLS-SRTP session shares: a self-signed ECDSA P-256 certificate made at start (WebRTC
/// trusts the fingerprint in the SDP, not a CA) and OpenSSL's DTLS 1.2 server context with the
/// <c>SRTP_AES128_CM_SHA1_80</c> profile, ECDHE-ECDSA ciphers, no session cache, and a request for the
/// browser's certificate, accepted as it comes and compared with the offer's fingerprint afterwards.
/// </summary>
internal sealed unsafe class DtlsContext : IDisposable
{
    private const string Ciphers = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305";

    /// <exception cref="InvalidOperationException">OpenSSL is missing or refused the setup (the message says which).</exception>
    public DtlsContext(TimeProvider time)
    {
        if (OpenSsl.Problem is { } problem) throw new InvalidOperationException(problem);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var now = time.GetUtcNow();
        using var certificate = new CertificateRequest("CN=edge", key, HashAlgorithmName.SHA256)
            .CreateSelfSigned(now.AddDays(-1), now.AddDays(30));
        Fingerprint = FingerprintOf(certificate.RawData);
        var api = OpenSsl.Api;
        api.ErrClearError();
        Handle = api.CtxNew(api.DtlsServerMethod());
        if (Handle == IntPtr.Zero) throw Failure("SSL_CTX_new");
        byte[] der = certificate.RawData, privateKey = key.ExportECPrivateKey();
        try
        {
            fixed (byte* c = der)
            fixed (byte* k = privateKey)
            {
                if (api.CtxUseCertificateAsn1(Handle, der.Length, c) != 1) throw Failure("the certificate");
                if (api.CtxUsePrivateKeyAsn1(OpenSsl.EvpPkeyEc, Handle, k, privateKey.Length) != 1) throw Failure("the key");
            }
            if (api.CtxCheckPrivateKey(Handle) != 1) throw Failure("the key pair");
            api.CtxCtrl(Handle, OpenSsl.CtrlSetMinProtocolVersion, OpenSsl.Dtls12Version, IntPtr.Zero);
            api.CtxCtrl(Handle, OpenSsl.CtrlSetSessionCacheMode, 0, IntPtr.Zero);
            // Memory BIOs have no MTU to ask: without this OpenSSL falls back to 256-byte fragments.
            api.CtxSetOptions(Handle, OpenSsl.OptionNoQueryMtu | OpenSsl.OptionNoTicket | OpenSsl.OptionNoRenegotiation
                | OpenSsl.OptionCipherServerPreference);
            api.CtxSetVerify(Handle, OpenSsl.VerifyPeer | OpenSsl.VerifyFailIfNoPeerCert,
                (IntPtr)(delegate* unmanaged[Cdecl]<int, IntPtr, int>)&AcceptAny);
            fixed (byte* list = Encoding.ASCII.GetBytes(Ciphers + "\0"))
                if (api.CtxSetCipherList(Handle, list) != 1) throw Failure("the ciphers");
            fixed (byte* profile = "SRTP_AES128_CM_SHA1_80\0"u8)
                if (api.CtxSetSrtp(Handle, profile) != 0) throw Failure("the SRTP profile");
        }
        catch
        {
            api.CtxFree(Handle);
            throw;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(privateKey);
        }
    }

    /// <summary>The <c>SSL_CTX*</c>.</summary>
    public IntPtr Handle { get; }

    /// <summary>The certificate's <c>a=fingerprint</c> value: <c>sha-256 AB:CD:…</c>.</summary>
    public string Fingerprint { get; }

    /// <summary>A DER certificate's fingerprint as SDP writes it.</summary>
    public static string FingerprintOf(ReadOnlySpan<byte> der)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(der, hash);
        var text = new StringBuilder("sha-256 ", 8 + 3 * hash.Length);
        for (int i = 0; i < hash.Length; i++) text.Append(i > 0 ? ":" : "").Append(Convert.ToHexString(hash.Slice(i, 1)));
        return text.ToString();
    }

    public void Dispose() => OpenSsl.Api.CtxFree(Handle);

    private static InvalidOperationException Failure(string what) => new($"OpenSSL refused {what} for DTLS: {OpenSsl.Errors()}");

    // Any certificate is accepted during the handshake: the browser's is self-signed; its fingerprint is checked after.
    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int AcceptAny(int preverifyOk, IntPtr store) => 1;
}
