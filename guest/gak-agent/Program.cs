using GuestAgentKit.Cli;
using GuestAgentKit.Guest.Cli;

return await CliRunner.RunAsync("gak-agent", AgentCli.Build(), args).ConfigureAwait(false);
