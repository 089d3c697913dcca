namespace Edge.Hosting;

public enum EdgeCommand { Run, Help, Version, CheckConfig, Passwd, BenchEncode, CodecCheck }

/// <summary>
/// The command and the switches Edge handles itself; everything else (<c>--urls</c>,
/// <c>--WebSocket:MaxClients 10</c>, …) is passed on to configuration.
/// </summary>
/// <param name="PidFile">Where to write the process id while running (<c>--pidfile</c>), for sysvinit scripts.</param>
public sealed record CommandLine(EdgeCommand Command, string? ConfigPath, string[] ConfigArgs, string? PidFile = null)
{
    public const string DefaultConfigPath = "/etc/edge/edge.json";

    public static CommandLine Parse(string[] args)
    {
        var command = EdgeCommand.Run;
        string? configPath = Environment.GetEnvironmentVariable("EDGE_CONFIG");
        string? pidFile = null;
        var rest = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            string arg = args[i];
            switch (arg)
            {
                case "-h" or "--help": command = EdgeCommand.Help; break;
                case "--version": command = EdgeCommand.Version; break;
                case "--check-config": command = EdgeCommand.CheckConfig; break;
                case "passwd" when i == 0: command = EdgeCommand.Passwd; break;
                case "bench-encode" when i == 0: command = EdgeCommand.BenchEncode; break;
                case "codec-check" when i == 0: command = EdgeCommand.CodecCheck; break;
                case "--config":
                    if (i + 1 >= args.Length) throw new ConfigException("--config needs a file path.");
                    configPath = args[++i];
                    break;
                case "--pidfile":
                    if (i + 1 >= args.Length) throw new ConfigException("--pidfile needs a file path.");
                    pidFile = args[++i];
                    break;
                default:
                    if (arg.StartsWith("--config=", StringComparison.Ordinal)) configPath = arg["--config=".Length..];
                    else rest.Add(arg);
                    break;
            }
        }
        return new CommandLine(command, configPath, [.. rest], pidFile);
    }

    public const string HelpText = """
        Usage: edge [options]
               edge passwd            read a password on stdin, print its hash for Auth:Users
               edge passwd --digest NAME   the same for a user's DigestHash (RTSP Digest clients)
               edge --check-config    validate the configuration and exit (0 = valid, 2 = invalid)
               edge bench-encode --input FILE --size 1280x720 [--workers N] [--seconds S] [--quality 80]
                                      JPEG encode rate through the worker pool on raw YUYV frames read
                                      from FILE (its first 16); prints one JSON line (test/bench/camera.sh uses it);
                                      --codec h264 [--bitrate 2000] [--fps 30]: OpenH264 instead (test/bench/h264.sh)
               edge codec-check [--device /dev/video11] [--frames 30] [--size 640x480]
                                      encode test frames with the board's V4L2 H.264 encoder (the first one
                                      found, or --device) as Edge would, decode them again, print one JSON line
               edge --version | --help

        Options:
          --config FILE        JSON configuration (default /etc/edge/edge.json when it exists; env EDGE_CONFIG)
          --data-dir DIR       where Edge keeps its data (default /var/lib/edge; created if missing)
          --urls URLS          where HTTP listens (default http://*:8080), e.g. http://127.0.0.1:9000
          --pidfile FILE       write the process id to FILE while running (sysvinit); removed on exit
          --Section:Key VALUE  any configuration value, e.g. --WebSocket:MaxClients 100

        Configuration is read from the file, then EDGE_* environment variables (EDGE_Auth__Enabled=false),
        then the command line; later sources win. SIGHUP reloads it; SIGTERM or SIGINT stop Edge.
        Started by systemd with Type=notify, Edge reports READY=1, STATUS, WATCHDOG=1 and STOPPING=1.
        """;
}
