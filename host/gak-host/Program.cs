using GuestAgentKit.Cli;
using GuestAgentKit.Host.Cli;

return await CliRunner.RunAsync("gak-host", HostCli.Build(), args).ConfigureAwait(false);
