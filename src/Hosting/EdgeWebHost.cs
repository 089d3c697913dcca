using Edge.Web;
using Edge.Web.Tls;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Edge.Hosting;

/// <summary>
/// The ASP.NET Core slim host as Edge runs it: its configuration sources, console logging in Edge's
/// format, Kestrel's listeners (HTTP from <c>urls</c>, HTTPS beside it) and limits.
/// </summary>
public static class EdgeWebHost
{
    /// <summary>The built application, the checked settings, and the <c>urls</c> the listeners came from (RTSP follows them).</summary>
    /// <param name="certificates">Asked at each TLS handshake (the store is made after the host).</param>
    public static (WebApplication App, EdgeSettings Settings, string? Urls) Build(CommandLine commandLine, Action<ILoggingBuilder>? logging,
        Func<CertificateStore> certificates, HttpConnectionCounter connections)
    {
        // No Args here: EdgeConfiguration adds the command line itself, after the file and the environment.
        // The host's default appsettings.json must not be watched: under an init system the working
        // directory is "/", and watching it put an inotify watch on every directory of the board
        // (40,000 here) before the first log line, which could take longer than a start may.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = ["--hostBuilder:reloadConfigOnChange=false"] });
        EdgeConfiguration.Build(builder.Configuration, commandLine);
        var settings = SettingsLoader.Load(builder.Configuration);
        EdgeConfiguration.PrepareDataDir(settings.DataDir);

        builder.Logging.ClearProviders();
        builder.Logging.AddConsole(o =>
        {
            o.FormatterName = EdgeLogFormatter.FormatterName;
            o.LogToStandardErrorThreshold = LogLevel.Warning;
        });
        // What AddConsoleFormatter does, minus its reflection-bound options.
        builder.Services.AddSingleton<ConsoleFormatter, EdgeLogFormatter>();
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
