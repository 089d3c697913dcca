using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Edge.State;
using Microsoft.Extensions.Logging;

namespace Edge.Web.Tls;

/// <summary>
/// The certificate HTTPS presents: the configured PEM files, or a self-signed one kept in
/// <c>DATA_DIR/tls/</c> (made on the first start). It is loaded at the first handshake, so OpenSSL and
/// its memory are only paid for once HTTPS is used, and loaded again after SIGHUP (<see cref="Apply"/>)
/// or when the files change (<see cref="CheckForChanges"/>). Kestrel asks for it on its own threads:
/// hence a lock, held to load and swap the reference, never across a handshake.
/// </summary>
public sealed partial class CertificateStore(string dataDir, HttpsSettings settings, Func<IEnumerable<IPAddress>> addresses,
    TimeProvider time, ILogger logger)
{
    private readonly Lock _lock = new();
    private HttpsSettings _settings = settings;
    private X509Certificate2? _current;
    private string? _loadedStamp;
    private bool _stale = true;

    public string CertificatePath
        => _settings.CertificateFile.Length > 0 ? Path.GetFullPath(_settings.CertificateFile) : Path.Combine(dataDir, "tls", "edge.crt");

    public string KeyPath => _settings.KeyFile.Length > 0 ? Path.GetFullPath(_settings.KeyFile) : Path.Combine(dataDir, "tls", "edge.key");

    private bool SelfSigned => _settings.CertificateFile.Length == 0;

    /// <summary>Kestrel's certificate selector: the current certificate, loading it first when needed; null when there is none.</summary>
    public X509Certificate2? Select()
    {
        lock (_lock)
        {
            if (_stale || _current == null) Load();
            return _current;
        }
    }

    /// <summary>New settings (SIGHUP): the next handshake loads the certificate again.</summary>
    public void Apply(HttpsSettings next)
    {
        lock (_lock)
        {
            _settings = next;
            _stale = true;
        }
    }

    /// <summary>Makes the self-signed certificate if it is used and missing (blocking: on the pool, at start).</summary>
    public void EnsureCreated()
    {
        lock (_lock)
        {
            if (SelfSigned && !File.Exists(CertificatePath)) Create();
        }
    }

    /// <summary>Marks the certificate stale when its files changed since it was loaded (blocking: stats the files).</summary>
    public void CheckForChanges()
    {
        lock (_lock)
        {
            if (_loadedStamp != null && Stamp() != _loadedStamp) _stale = true;
        }
    }

    private void Load()
    {
        try
        {
            if (SelfSigned && !File.Exists(CertificatePath)) Create();
            string stamp = Stamp();
            var loaded = X509Certificate2.CreateFromPemFile(CertificatePath, KeyPath);
            _current = loaded;
            _loadedStamp = stamp;
            Log.Loaded(logger, loaded.Subject, loaded.NotAfter, CertificatePath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            // Keep serving with the certificate that worked, if any.
            Log.LoadFailed(logger, CertificatePath, KeyPath, e.Message);
        }
        _stale = false;
    }

    private void Create()
    {
        var (certificate, key) = SelfSignedCertificate.Create(Dns.GetHostName(), addresses(), time.GetUtcNow());
        Directory.CreateDirectory(Path.GetDirectoryName(CertificatePath)!);
        AtomicFile.Write(KeyPath, Encoding.ASCII.GetBytes(key));
        AtomicFile.Write(CertificatePath, Encoding.ASCII.GetBytes(certificate),
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        Log.Made(logger, CertificatePath);
    }

    // What changes when either file is replaced.
    private string Stamp()
    {
        var certificate = new FileInfo(CertificatePath);
        var key = new FileInfo(KeyPath);
        if (!certificate.Exists || !key.Exists) return "missing";
        return $"{certificate.Length}:{certificate.LastWriteTimeUtc.Ticks}:{key.Length}:{key.LastWriteTimeUtc.Ticks}";
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information,
            Message = "Loaded the HTTPS certificate {Subject} (expires {Expiry:yyyy-MM-dd}) from {File}")]
        public static partial void Loaded(ILogger logger, string subject, DateTime expiry, string file);

        [LoggerMessage(Level = LogLevel.Error, Message = "HTTPS certificate not loaded from {File} and {Key}: {Message}")]
        public static partial void LoadFailed(ILogger logger, string file, string key, string message);

        [LoggerMessage(Level = LogLevel.Information, Message = "Made a self-signed HTTPS certificate in {File}")]
        public static partial void Made(ILogger logger, string file);
    }
}
