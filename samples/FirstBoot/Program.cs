using GuestAgentKit.Cli;
using GuestAgentKit.Samples.FirstBoot.Cli;

return await CliRunner.RunAsync("FirstBoot", FirstBootCli.Build(), args);
