namespace Edge.Web.Tls;

/// <summary>The <c>Https</c> section.</summary>
public sealed class HttpsSettings
{
    public bool Enabled { get; set; } = true;

    /// <summary>HTTPS listens on this port of every address HTTP listens on (0 picks a free one, for tests).</summary>
    public int Port { get; set; } = 8443;

    /// <summary>PEM certificate (chain) file; empty: a self-signed certificate kept in <c>DATA_DIR/tls/</c>.</summary>
    public string CertificateFile { get; set; } = "";

    /// <summary>PEM private key file of <see cref="CertificateFile"/>.</summary>
    public string KeyFile { get; set; } = "";

    /// <summary>Answers HTTP requests (except /healthz and /readyz) with a redirect to HTTPS.</summary>
    public bool RedirectHttp { get; set; }

    /// <summary>When above 0, HTTPS responses carry <c>Strict-Transport-Security: max-age=…</c>.</summary>
    public int HstsSeconds { get; set; }

    public string? Validate()
    {
        if (Port is < 0 or > 65535) return $"Port must be between 0 and 65535 (got {Port})";
        if (CertificateFile.Length > 0 != KeyFile.Length > 0) return "CertificateFile and KeyFile go together: give both or neither";
        if (HstsSeconds < 0) return $"HstsSeconds must not be negative (got {HstsSeconds})";
        if (RedirectHttp && !Enabled) return "RedirectHttp needs Enabled";
        return null;
    }
}
