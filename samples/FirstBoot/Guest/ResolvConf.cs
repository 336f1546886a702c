using System.Text;

namespace GuestAgentKit.Samples.FirstBoot.Guest;

/// <summary>/etc/resolv.conf (resolv.conf(5)): fully ours when the config has a dns section.</summary>
internal static class ResolvConf
{
    public static string Render(DnsConfig dns)
    {
        var text = new StringBuilder("# Written by GuestAgentKit first-boot (config.apply); replaced on every apply.\n");
        foreach (var server in dns.Servers ?? [])
        {
            text.Append("nameserver ").Append(server).Append('\n');
        }

        if (dns.Search is { Count: > 0 } search)
        {
            text.Append("search ").AppendJoin(' ', search).Append('\n');
        }

        return text.ToString();
    }
}
