using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Edge.Native;

namespace Edge.Streaming.WebRtc;

/// <summary>
/// One session's DTLS 1.2 server (RFC 6347) for DTLS-SRTP (RFC 5764): the peer's datagrams go in,
/// Edge's leave through <c>send</c> as datagrams of at most <see cref="Mtu"/> bytes (OpenSSL writes
/// records into a memory BIO, which keeps no datagram boundaries: they are cut back on record
/// boundaries). Done when the SRTP profile was agreed and the peer's certificate matches the
/// fingerprint its offer gave; then <see cref="Keys"/> holds the SRTP keys. Not thread-safe.
/// </summary>
internal sealed unsafe class DtlsTransport : IDisposable
{
    /// <summary>The largest datagram Edge sends: what fits a path with a 1280-byte IPv6 minimum and tunnels.</summary>
    public const int Mtu = 1200;

    private const int RecordHeaderLength = 13;
    private static readonly byte[] ExporterLabel = "EXTRACTOR-dtls_srtp"u8.ToArray();

    private readonly IntPtr _ssl, _in, _out;
    private readonly string _peerFingerprint;
    private readonly Action<ReadOnlyMemory<byte>> _send;
    private byte[] _written = new byte[4096];

    /// <param name="peerFingerprint">The offer's <c>a=fingerprint</c> (<c>sha-256 AB:CD:…</c>).</param>
    /// <param name="send">Sends one datagram to the peer (the bytes are its own).</param>
    public DtlsTransport(DtlsContext context, string peerFingerprint, Action<ReadOnlyMemory<byte>> send)
    {
        (_peerFingerprint, _send) = (peerFingerprint, send);
        var api = OpenSsl.Api;
        api.ErrClearError();
        _ssl = api.New(context.Handle);
        if (_ssl == IntPtr.Zero) throw new InvalidOperationException("SSL_new failed: " + OpenSsl.Errors());
        _in = api.BioNew(api.BioMemory());
        _out = api.BioNew(api.BioMemory());
        api.SetBio(_ssl, _in, _out); // the SSL owns both BIOs from here
        api.Ctrl(_ssl, OpenSsl.CtrlSetMtu, Mtu - 28, IntPtr.Zero); // what the records may take of a datagram: IP and UDP aside
        api.SetAcceptState(_ssl);
    }

    public DtlsState State { get; private set; } = DtlsState.Handshaking;

    /// <summary>Why the handshake failed or the session closed.</summary>
    public string? Problem { get; private set; }

    /// <summary>The SRTP keys, once <see cref="State"/> is connected.</summary>
    public SrtpKeys? Keys { get; private set; }

    /// <summary>Takes one datagram from the peer; true when it completed the handshake.</summary>
    public bool Receive(ReadOnlySpan<byte> datagram)
    {
        if (State is DtlsState.Failed or DtlsState.Closed) return false;
        var api = OpenSsl.Api;
        api.ErrClearError();
        fixed (byte* data = datagram) api.BioWrite(_in, data, datagram.Length);
        bool completed = false;
        if (State == DtlsState.Handshaking)
        {
            int result = api.DoHandshake(_ssl);
            if (result == 1) completed = Complete();
            else Check(api.GetError(_ssl, result));
        }
        else
        {
            // After the handshake: a retransmitted Finished (OpenSSL answers it when it reads it) or an alert.
            byte* sink = stackalloc byte[256];
            int result = api.Read(_ssl, sink, 256);
            if (result <= 0) Check(api.GetError(_ssl, result));
        }
        Flush();
        return completed;
    }

    /// <summary>When the handshake's retransmission is due (null: no timer runs).</summary>
    public TimeSpan? RetransmitIn()
    {
        if (State != DtlsState.Handshaking) return null;
        long* timeval = stackalloc long[2];
        if (OpenSsl.Api.Ctrl(_ssl, OpenSsl.CtrlGetDtlsTimeout, 0, (IntPtr)timeval) != 1) return null;
        return TimeSpan.FromSeconds(timeval[0]) + TimeSpan.FromMicroseconds(timeval[1]);
    }

    /// <summary>The retransmission timer fired: the last flight goes again (OpenSSL gives up after 12 tries).</summary>
    public void Retransmit()
    {
        if (State != DtlsState.Handshaking) return;
        OpenSsl.Api.ErrClearError();
        if (OpenSsl.Api.Ctrl(_ssl, OpenSsl.CtrlHandleDtlsTimeout, 0, IntPtr.Zero) < 0) Fail("the peer stopped answering the handshake");
        Flush();
    }

    /// <summary>Says goodbye (close_notify) when connected; the session is over either way.</summary>
    public void Close()
    {
        if (State == DtlsState.Connected)
        {
            OpenSsl.Api.ErrClearError();
            OpenSsl.Api.Shutdown(_ssl);
            Flush();
        }
        if (State is DtlsState.Handshaking or DtlsState.Connected) State = DtlsState.Closed;
    }

    public void Dispose() => OpenSsl.Api.Free(_ssl);

    private void Check(int error)
    {
        if (error is OpenSsl.ErrorWantRead or OpenSsl.ErrorWantWrite) return;
        if (error == OpenSsl.ErrorZeroReturn)
        {
            State = DtlsState.Closed;
            Problem = "the peer closed DTLS";
            return;
        }
        Fail("DTLS failed: " + OpenSsl.Errors());
    }

    private void Fail(string problem)
    {
        State = DtlsState.Failed;
        Problem = problem;
    }

    // The handshake is done: the profile and the peer's certificate are checked before any key is used.
    private bool Complete()
    {
        var api = OpenSsl.Api;
        IntPtr profile = api.SelectedSrtpProfile(_ssl);
        if (profile == IntPtr.Zero || Marshal.ReadInt64(profile, IntPtr.Size) != OpenSsl.SrtpAes128CmSha1_80)
        {
            Fail("the peer agreed no SRTP_AES128_CM_SHA1_80");
            return false;
        }
        IntPtr certificate = api.PeerCertificate(_ssl);
        if (certificate == IntPtr.Zero)
        {
            Fail("the peer sent no certificate");
            return false;
        }
        byte[] der;
        try
        {
            der = new byte[api.X509ToDer(certificate, null)];
            fixed (byte* start = der)
            {
                byte* at = start;
                api.X509ToDer(certificate, &at);
            }
        }
        finally
        {
            api.X509Free(certificate);
        }
        if (!string.Equals(DtlsContext.FingerprintOf(der), _peerFingerprint.Trim(), StringComparison.OrdinalIgnoreCase))
        {
            Fail("the peer's certificate does not match the fingerprint of its offer");
            return false;
        }
        byte* material = stackalloc byte[60];
        fixed (byte* label = ExporterLabel)
        {
            if (api.ExportKeyingMaterial(_ssl, material, 60, label, (nuint)ExporterLabel.Length, null, 0, 0) != 1)
            {
                Fail("the SRTP keys could not be exported: " + OpenSsl.Errors());
                return false;
            }
        }
        // client key, server key, client salt, server salt: Edge is the server.
        var keys = new ReadOnlySpan<byte>(material, 60);
        Keys = new SrtpKeys(keys[16..32].ToArray(), keys[46..60].ToArray(), keys[..16].ToArray(), keys[32..46].ToArray());
        State = DtlsState.Connected;
        return true;
    }

    // Whatever OpenSSL wrote, as datagrams of whole records.
    private void Flush()
    {
        var api = OpenSsl.Api;
        int length = 0;
        for (nuint pending; (pending = api.BioPending(_out)) > 0;)
        {
            if (_written.Length - length < (int)pending) Array.Resize(ref _written, Math.Max(_written.Length * 2, length + (int)pending));
            fixed (byte* into = &_written[length]) length += Math.Max(0, api.BioRead(_out, into, (int)pending));
        }
        int start = 0, at = 0;
        while (at + RecordHeaderLength <= length)
        {
            int record = RecordHeaderLength + BinaryPrimitives.ReadUInt16BigEndian(_written.AsSpan(at + 11));
            if (at > start && at + record - start > Mtu)
            {
                _send(_written.AsSpan(start, at - start).ToArray());
                start = at;
            }
            at += record;
        }
        if (length > start) _send(_written.AsSpan(start, length - start).ToArray());
    }
}
