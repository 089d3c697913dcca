using Edge.Web;
using Edge.Web.Tls;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Edge.Hosting;

/// <summary>
/// The ASP.NET Core host as Edge runs it, built from the empty builder: its configuration sources,
/// logging in Edge's format (<see cref="EdgeLoggerProvider"/>), Kestrel's listeners (HTTP from <c>urls</c>,
/// HTTPS beside it) and limits.
/// </summary>
public static class EdgeWebHost
{
    /// <summary>The built application, the checked settings, and the <c>urls</c> the listeners came from (RTSP follows them).</summary>
    /// <param name="certificates">Asked at each TLS handshake (the store is made after the host).</param>
    public static (WebApplication App, EdgeSettings Settings, string? Urls) Build(CommandLine commandLine, Action<ILoggingBuilder>? logging,
        Func<CertificateStore> certificates, HttpConnectionCounter connections)
    {
        // The empty builder: no configuration sources, logging providers or Kestrel defaults of its own.
        // EdgeConfiguration adds the sources (file, environment, command line; nothing watched: under an
        // init system the working directory is "/", and watching it put an inotify watch on every
        // directory of the board). The slim builder's defaults, chiefly console logging with three
        // formatters Edge never used (see EdgeLoggerProvider), cost 294 KB of the binary.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore();
        builder.Services.AddRoutingCore();
        EdgeConfiguration.Build(builder.Configuration, commandLine);
        var settings = SettingsLoader.Load(builder.Configuration);
        EdgeConfiguration.PrepareDataDir(settings.DataDir);

        builder.Logging.AddConfiguration(builder.Configuration.GetSection("Logging"));
        // Made and disposed by the container, so the lines queued at shutdown are written out.
        builder.Services.AddSingleton<ILoggerProvider, EdgeLoggerProvider>();
        logging?.Invoke(builder.Logging);
        // Listeners are set in code (HTTP from urls, HTTPS beside it); Kestrel must not also bind urls itself.
        string? urls = builder.Configuration[WebHostDefaults.ServerUrlsKey];
        builder.Configuration[WebHostDefaults.ServerUrlsKey] = "";
        builder.WebHost.ConfigureKestrel(o =>
        {
            Listeners.Configure(o, urls, settings.Https, certificates, connections);
            o.AddServerHeader = false;
            o.Limits.MaxConcurrentConnections = settings.Http.MaxConnections;
            o.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(settings.Http.HeadersTimeoutSeconds);
            o.Limits.KeepAliveTimeout = TimeSpan.FromSeconds(settings.Http.KeepAliveTimeoutSeconds);
        });
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(3));

        return (builder.Build(), settings, urls);
    }
}
