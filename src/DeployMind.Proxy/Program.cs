using System.Globalization;
using System.Runtime.InteropServices;
using DeployMind.Proxy.Admin;
using Microsoft.Extensions.Logging;

namespace DeployMind.Proxy;

/// <summary><c>deploymind-proxy</c>: runs the edge proxy until SIGTERM or SIGINT.</summary>
internal static class Program
{
    private const string Usage = """
        usage: deploymind-proxy --listen HOST:PORT --admin 127.0.0.1:PORT --admin-token-file PATH [options]

          --listen HOST:PORT          public endpoint (e.g. 0.0.0.0:80 or 127.0.0.1:8080)
          --admin HOST:PORT           admin API endpoint; must be loopback (127.0.0.1, [::1], localhost)
          --admin-token-file PATH     file holding the admin bearer token (first line, >= 16 characters);
                                      or set DEPLOYMIND_PROXY_ADMIN_TOKEN
          --state-file PATH           persist the backend set there; a restarted proxy restores it
          --backend ID=URL[,WEIGHT]   initial backend (repeatable; weight defaults to 100); ignored when the
                                      state file exists
          --drain-timeout SECONDS     default drain timeout of a backend-set change (default 30)
          --request-timeout SECONDS   longest wait for a backend's response (default 100)
          --connect-timeout SECONDS   longest wait for a connection to a backend (default 5)
          --shutdown-timeout SECONDS  how long stopping waits for in-flight requests (default 30)
          --log-level LEVEL           trace|debug|information|warning|error|none (default information)

        Admin API (Authorization: Bearer TOKEN): GET /admin/state, PUT /admin/backends,
        GET /admin/metrics?backend=ID&window=SECONDS; GET /admin/health needs no token.
        Exit codes: 0 stopped by a signal, 2 invalid arguments or configuration.
        """;

    public static async Task<int> Main(string[] args)
    {
        ProxyHostOptions options;
        try
        {
            options = ParseArguments(args);
        }
        catch (ArgumentException ex) when (ex.Message == "help")
        {
            Console.Out.WriteLine(Usage);
            return 0;
        }
        catch (Exception ex) when (ex is ArgumentException or ProxyConfigurationException or IOException or UnauthorizedAccessException or InvalidDataException)
        {
            await Console.Error.WriteLineAsync($"deploymind-proxy: {ex.Message}");
            await Console.Error.WriteLineAsync("run deploymind-proxy --help for the options");
            return 2;
        }

        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.TrySetResult();
        }
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var quit = PosixSignalRegistration.Create(PosixSignal.SIGQUIT, OnSignal);

        RunningProxy proxy;
        try
        {
            proxy = await ProxyHost.StartAsync(options);
        }
        catch (ProxyConfigurationException ex)
        {
            await Console.Error.WriteLineAsync($"deploymind-proxy: {ex.Message}");
            return 2;
        }
        await Console.Out.WriteLineAsync($"deploymind-proxy: proxy on {proxy.ProxyAddress}, admin API on {proxy.AdminAddress}"
            + (proxy.StateFile is null ? "" : $", state file {proxy.StateFile}"));
        await stop.Task;
        await Console.Out.WriteLineAsync("deploymind-proxy: stopping (in-flight requests finish first)");
        await proxy.DisposeAsync();
        return 0;
    }

    internal static ProxyHostOptions ParseArguments(string[] args)
    {
        var options = new ProxyHostOptions { ConsoleLogLevel = LogLevel.Information };
        string? listen = null, admin = null, tokenFile = null;
        var backends = new List<ProxyBackend>();
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            string? inline = null;
            var eq = arg.IndexOf('=', StringComparison.Ordinal);
            if (arg.StartsWith("--", StringComparison.Ordinal) && eq > 0)
            {
                inline = arg[(eq + 1)..];
                arg = arg[..eq];
            }
            string Value()
            {
                if (inline is not null)
                {
                    return inline;
                }
                if (i + 1 >= args.Length)
                {
                    throw new ArgumentException($"{arg} needs a value");
                }
                return args[++i];
            }
            switch (arg)
            {
                case "-h" or "--help":
                    throw new ArgumentException("help");
                case "--listen":
                    listen = Value();
                    break;
                case "--admin":
                    admin = Value();
                    break;
                case "--admin-token-file":
                    tokenFile = Value();
                    break;
                case "--state-file":
                    options.StateFile = Value();
                    break;
                case "--backend":
                    backends.Add(ParseBackend(Value()));
                    break;
                case "--drain-timeout":
                    options.DrainTimeout = Seconds(arg, Value());
                    break;
                case "--request-timeout":
                    options.RequestTimeout = Seconds(arg, Value());
                    break;
                case "--connect-timeout":
                    options.ConnectTimeout = Seconds(arg, Value());
                    break;
                case "--shutdown-timeout":
                    options.ShutdownTimeout = Seconds(arg, Value());
                    break;
                case "--log-level":
                    var level = Value();
                    options.ConsoleLogLevel = level.ToLowerInvariant() switch
                    {
                        "trace" => LogLevel.Trace,
                        "debug" => LogLevel.Debug,
                        "information" or "info" => LogLevel.Information,
                        "warning" or "warn" => LogLevel.Warning,
                        "error" => LogLevel.Error,
                        "none" => null,
                        _ => throw new ArgumentException($"--log-level: '{level}' is not one of trace, debug, information, warning, error, none"),
                    };
                    break;
                default:
                    throw new ArgumentException($"unknown argument '{args[i]}'");
            }
        }
        options.Listen = listen ?? throw new ArgumentException("--listen HOST:PORT is required");
        options.Admin = admin ?? throw new ArgumentException("--admin 127.0.0.1:PORT is required");
        if (tokenFile is not null)
        {
            options.AdminToken = ProxyAdminClient.ReadTokenFile(tokenFile);
        }
        else
        {
            options.AdminToken = Environment.GetEnvironmentVariable("DEPLOYMIND_PROXY_ADMIN_TOKEN");
        }
        options.Backends = backends;
        return options;
    }

    private static ProxyBackend ParseBackend(string value)
    {
        var eq = value.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0)
        {
            throw new ArgumentException($"--backend '{value}' must be ID=URL[,WEIGHT]");
        }
        var id = value[..eq];
        var rest = value[(eq + 1)..];
        var weight = 100;
        var comma = rest.LastIndexOf(',');
        if (comma > 0)
        {
            if (!int.TryParse(rest[(comma + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out weight))
            {
                throw new ArgumentException($"--backend '{value}': the weight must be a whole number from 0 to 100");
            }
            rest = rest[..comma];
        }
        return new ProxyBackend(id, rest, weight);
    }

    private static TimeSpan Seconds(string option, string value)
    {
        if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) || double.IsNaN(seconds) || seconds < 0)
        {
            throw new ArgumentException($"{option}: '{value}' is not a number of seconds");
        }
        return TimeSpan.FromSeconds(seconds);
    }
}
