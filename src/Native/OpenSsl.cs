using System.Runtime.InteropServices;

namespace Edge.Native;

/// <summary>
/// The parts of OpenSSL 3 (<c>libssl.so.3</c>, <c>libcrypto.so.3</c>: the libraries .NET's own TLS
/// already uses, so loading them again maps nothing new) that DTLS-SRTP needs and .NET does not offer:
/// a DTLS 1.2 server over memory BIOs with the <c>use_srtp</c> extension and the keying-material
/// exporter. Resolved when first asked for; a board without OpenSSL 3 gets a clear message. Macros of
/// the C API are their <c>SSL_ctrl</c> commands here.
/// </summary>
internal static unsafe class OpenSsl
{
    public const string Ssl = "libssl.so.3", Crypto = "libcrypto.so.3";

    // ssl.h, tls1.h, dtls1.h, evp.h of OpenSSL 3.0.
    public const int ErrorNone = 0, ErrorWantRead = 2, ErrorWantWrite = 3, ErrorZeroReturn = 6;
    public const int VerifyPeer = 0x01, VerifyFailIfNoPeerCert = 0x02;
    public const ulong OptionNoQueryMtu = 1UL << 12, OptionNoTicket = 1UL << 14, OptionCipherServerPreference = 1UL << 22,
        OptionNoRenegotiation = 1UL << 30;
    public const int CtrlSetMtu = 17, CtrlSetSessionCacheMode = 44, CtrlGetDtlsTimeout = 73, CtrlHandleDtlsTimeout = 74,
        CtrlSetMinProtocolVersion = 123;
    public const int Dtls12Version = 0xFEFD;
    public const int EvpPkeyEc = 408;
    public const int SrtpAes128CmSha1_80 = 1;

    private static readonly Lazy<Functions?> Loaded = new(Load);
    private static string? s_problem;

    /// <summary>Why DTLS cannot be used, or null. Loads the libraries.</summary>
    public static string? Problem => Loaded.Value == null ? s_problem : null;

    public static Functions Api => Loaded.Value ?? throw new DllNotFoundException(s_problem);

    /// <summary>OpenSSL's error queue as text (and emptied), for an exception's message.</summary>
    public static string Errors()
    {
        var api = Api;
        var text = new System.Text.StringBuilder();
        byte* buffer = stackalloc byte[256];
        for (ulong code; (code = api.ErrGetError()) != 0;)
        {
            api.ErrErrorStringN(code, buffer, 256);
            if (text.Length > 0) text.Append("; ");
            text.Append(Marshal.PtrToStringUTF8((IntPtr)buffer));
        }
        return text.Length > 0 ? text.ToString() : "no OpenSSL error recorded";
    }

    /// <summary>The functions, resolved once.</summary>
    public sealed class Functions
    {
        internal Functions(IntPtr ssl, IntPtr crypto)
        {
            IntPtr S(string name) => NativeLibrary.GetExport(ssl, name);
            IntPtr C(string name) => NativeLibrary.GetExport(crypto, name);
            DtlsServerMethod = (delegate* unmanaged<IntPtr>)S("DTLS_server_method");
            CtxNew = (delegate* unmanaged<IntPtr, IntPtr>)S("SSL_CTX_new");
            CtxFree = (delegate* unmanaged<IntPtr, void>)S("SSL_CTX_free");
            CtxUseCertificateAsn1 = (delegate* unmanaged<IntPtr, int, byte*, int>)S("SSL_CTX_use_certificate_ASN1");
            CtxUsePrivateKeyAsn1 = (delegate* unmanaged<int, IntPtr, byte*, nint, int>)S("SSL_CTX_use_PrivateKey_ASN1");
            CtxCheckPrivateKey = (delegate* unmanaged<IntPtr, int>)S("SSL_CTX_check_private_key");
            CtxSetOptions = (delegate* unmanaged<IntPtr, ulong, ulong>)S("SSL_CTX_set_options");
            CtxCtrl = (delegate* unmanaged<IntPtr, int, nint, IntPtr, nint>)S("SSL_CTX_ctrl");
            CtxSetVerify = (delegate* unmanaged<IntPtr, int, IntPtr, void>)S("SSL_CTX_set_verify");
            CtxSetCipherList = (delegate* unmanaged<IntPtr, byte*, int>)S("SSL_CTX_set_cipher_list");
            CtxSetSrtp = (delegate* unmanaged<IntPtr, byte*, int>)S("SSL_CTX_set_tlsext_use_srtp");
            New = (delegate* unmanaged<IntPtr, IntPtr>)S("SSL_new");
            Free = (delegate* unmanaged<IntPtr, void>)S("SSL_free");
            SetBio = (delegate* unmanaged<IntPtr, IntPtr, IntPtr, void>)S("SSL_set_bio");
            SetAcceptState = (delegate* unmanaged<IntPtr, void>)S("SSL_set_accept_state");
            DoHandshake = (delegate* unmanaged<IntPtr, int>)S("SSL_do_handshake");
            GetError = (delegate* unmanaged<IntPtr, int, int>)S("SSL_get_error");
            Read = (delegate* unmanaged<IntPtr, byte*, int, int>)S("SSL_read");
            Shutdown = (delegate* unmanaged<IntPtr, int>)S("SSL_shutdown");
            Ctrl = (delegate* unmanaged<IntPtr, int, nint, IntPtr, nint>)S("SSL_ctrl");
            ExportKeyingMaterial = (delegate* unmanaged<IntPtr, byte*, nuint, byte*, nuint, byte*, nuint, int, int>)
                S("SSL_export_keying_material");
            SelectedSrtpProfile = (delegate* unmanaged<IntPtr, IntPtr>)S("SSL_get_selected_srtp_profile");
            PeerCertificate = (delegate* unmanaged<IntPtr, IntPtr>)S("SSL_get1_peer_certificate");
            BioNew = (delegate* unmanaged<IntPtr, IntPtr>)C("BIO_new");
            BioMemory = (delegate* unmanaged<IntPtr>)C("BIO_s_mem");
            BioWrite = (delegate* unmanaged<IntPtr, byte*, int, int>)C("BIO_write");
            BioRead = (delegate* unmanaged<IntPtr, byte*, int, int>)C("BIO_read");
            BioPending = (delegate* unmanaged<IntPtr, nuint>)C("BIO_ctrl_pending");
            X509ToDer = (delegate* unmanaged<IntPtr, byte**, int>)C("i2d_X509");
            X509Free = (delegate* unmanaged<IntPtr, void>)C("X509_free");
            ErrGetError = (delegate* unmanaged<ulong>)C("ERR_get_error");
            ErrErrorStringN = (delegate* unmanaged<ulong, byte*, nuint, void>)C("ERR_error_string_n");
            ErrClearError = (delegate* unmanaged<void>)C("ERR_clear_error");
        }

        public delegate* unmanaged<IntPtr> DtlsServerMethod { get; }
        public delegate* unmanaged<IntPtr, IntPtr> CtxNew { get; }
        public delegate* unmanaged<IntPtr, void> CtxFree { get; }
        public delegate* unmanaged<IntPtr, int, byte*, int> CtxUseCertificateAsn1 { get; }
        public delegate* unmanaged<int, IntPtr, byte*, nint, int> CtxUsePrivateKeyAsn1 { get; }
        public delegate* unmanaged<IntPtr, int> CtxCheckPrivateKey { get; }
        public delegate* unmanaged<IntPtr, ulong, ulong> CtxSetOptions { get; }
        public delegate* unmanaged<IntPtr, int, nint, IntPtr, nint> CtxCtrl { get; }
        public delegate* unmanaged<IntPtr, int, IntPtr, void> CtxSetVerify { get; }
        public delegate* unmanaged<IntPtr, byte*, int> CtxSetCipherList { get; }

        /// <summary><c>SSL_CTX_set_tlsext_use_srtp</c>: 0 means success.</summary>
        public delegate* unmanaged<IntPtr, byte*, int> CtxSetSrtp { get; }
        public delegate* unmanaged<IntPtr, IntPtr> New { get; }
        public delegate* unmanaged<IntPtr, void> Free { get; }
        public delegate* unmanaged<IntPtr, IntPtr, IntPtr, void> SetBio { get; }
        public delegate* unmanaged<IntPtr, void> SetAcceptState { get; }
        public delegate* unmanaged<IntPtr, int> DoHandshake { get; }
        public delegate* unmanaged<IntPtr, int, int> GetError { get; }
        public delegate* unmanaged<IntPtr, byte*, int, int> Read { get; }
        public delegate* unmanaged<IntPtr, int> Shutdown { get; }
        public delegate* unmanaged<IntPtr, int, nint, IntPtr, nint> Ctrl { get; }
        public delegate* unmanaged<IntPtr, byte*, nuint, byte*, nuint, byte*, nuint, int, int> ExportKeyingMaterial { get; }

        /// <summary>A <c>SRTP_PROTECTION_PROFILE*</c> (name, then the id as an unsigned long), or null.</summary>
        public delegate* unmanaged<IntPtr, IntPtr> SelectedSrtpProfile { get; }
        public delegate* unmanaged<IntPtr, IntPtr> PeerCertificate { get; }
        public delegate* unmanaged<IntPtr, IntPtr> BioNew { get; }
        public delegate* unmanaged<IntPtr> BioMemory { get; }
        public delegate* unmanaged<IntPtr, byte*, int, int> BioWrite { get; }
        public delegate* unmanaged<IntPtr, byte*, int, int> BioRead { get; }
        public delegate* unmanaged<IntPtr, nuint> BioPending { get; }
        public delegate* unmanaged<IntPtr, byte**, int> X509ToDer { get; }
        public delegate* unmanaged<IntPtr, void> X509Free { get; }
        public delegate* unmanaged<ulong> ErrGetError { get; }
        public delegate* unmanaged<ulong, byte*, nuint, void> ErrErrorStringN { get; }
        public delegate* unmanaged<void> ErrClearError { get; }
    }

    private static Functions? Load()
    {
        if (!NativeLibrary.TryLoad(Crypto, out var crypto) || !NativeLibrary.TryLoad(Ssl, out var ssl))
        {
            s_problem = $"OpenSSL 3 ({Ssl}, {Crypto}) is not installed (Debian: apt install libssl3)";
            return null;
        }
        try { return new Functions(ssl, crypto); }
        catch (EntryPointNotFoundException e)
        {
            s_problem = $"{Ssl} lacks what DTLS-SRTP needs: {e.Message}";
            return null;
        }
    }
}
