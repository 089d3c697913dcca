using Microsoft.Extensions.Configuration;

namespace Edge.Hosting;

/// <summary>Where configuration comes from: the JSON file, then <c>EDGE_</c> variables, then the command line.</summary>
public static class EdgeConfiguration
{
    private static readonly Dictionary<string, string> SwitchMappings = new(StringComparer.Ordinal)
    {
        ["--data-dir"] = "DataDir",
    };

    /// <param name="replacement">JSON to read instead of the configuration file (a configuration checked before it is saved).</param>
    public static IConfigurationManager Build(IConfigurationManager configuration, CommandLine commandLine, byte[]? replacement = null)
    {
        configuration.Sources.Clear();
        string? path = commandLine.ConfigPath;
        if (replacement == null && path != null && !File.Exists(path))
            throw new ConfigException($"the configuration file '{path}' does not exist.");
        path ??= File.Exists(CommandLine.DefaultConfigPath) ? CommandLine.DefaultConfigPath : null;
        try
        {
            // Quiet framework logs by default; any source below can turn them up again.
            configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Logging:LogLevel:Default"] = "Information",
                ["Logging:LogLevel:Microsoft"] = "Warning",
            });
            if (replacement != null) configuration.AddJsonStream(new MemoryStream(replacement));
            else if (path != null) configuration.AddJsonFile(Path.GetFullPath(path), optional: false, reloadOnChange: false);
            configuration.AddEnvironmentVariables("EDGE_");
            configuration.AddCommandLine(commandLine.ConfigArgs, SwitchMappings);
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or IOException or UnauthorizedAccessException)
        {
            throw new ConfigException(e.InnerException is { } inner ? $"{e.Message} {inner.Message}" : e.Message, e);
        }
        return configuration;
    }

    /// <summary>The file <c>PUT /config</c> writes: the one given, else the default path (existing or not).</summary>
    public static string FilePath(CommandLine commandLine) => Path.GetFullPath(commandLine.ConfigPath ?? CommandLine.DefaultConfigPath);

    /// <summary>Creates the data directory when missing.</summary>
    public static void PrepareDataDir(string dataDir)
    {
        try
        {
            Directory.CreateDirectory(dataDir);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException($"DataDir: cannot create '{dataDir}': {e.Message}", e);
        }
    }
}
