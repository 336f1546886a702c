using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace GuestAgentKit.Host.Backend;

/// <summary>
/// Builds the backend daemon's host: configuration from an optional JSON file (section <c>Backend</c>),
/// then environment variables <c>GAK_BACKEND__&lt;Property&gt;</c>, then the command line (later wins);
/// systemd notify + journald-formatted logs when run by systemd; SIGTERM/Ctrl-C stop it cleanly.
/// </summary>
public static class BackendHost
{
    /// <summary>Builds the host.</summary>
    /// <param name="configFile">An appsettings-style JSON file, or null.</param>
    /// <param name="overrides">Settings from the command line, keyed <c>Backend:Property</c>.</param>
    /// <returns>The host; run it, then exit with <see cref="Environment.ExitCode"/>.</returns>
    public static IHost Build(string? configFile, IReadOnlyDictionary<string, string?> overrides)
    {
        ArgumentNullException.ThrowIfNull(overrides);
        var builder = Microsoft.Extensions.Hosting.Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings
        {
            ApplicationName = "gak-host-backend",
            ContentRootPath = AppContext.BaseDirectory,
        });
        if (configFile is not null)
        {
            builder.Configuration.AddJsonFile(Path.GetFullPath(configFile), optional: false, reloadOnChange: false);
        }

        builder.Configuration.AddEnvironmentVariables("GAK_");
        builder.Configuration.AddInMemoryCollection(overrides);
        builder.Logging.AddConfiguration(builder.Configuration.GetSection("Logging"));
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
        });
        builder.Services.AddSystemd();
        builder.Services.Configure<BackendOptions>(builder.Configuration.GetSection(BackendOptions.Section));
        builder.Services.AddHostedService<BackendService>();
        return builder.Build();
    }
}
