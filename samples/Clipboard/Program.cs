using GuestAgentKit.Cli;
using GuestAgentKit.Samples.Clipboard.Cli;

return await CliRunner.RunAsync("Clipboard", ClipboardCli.Build(), args);
