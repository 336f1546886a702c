using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using GuestAgentKit.Samples.FirstBoot.Guest;

namespace GuestAgentKit.Samples.FirstBoot.Demo;

/// <summary>The demo's template guest (a minimal Debian tree) and the configuration dom0 gives its clone.</summary>
internal static class DemoGuest
{
    public const string User = "debian";

    /// <summary>What a freshly cloned Debian template has: users, the template's /etc/hosts, a home.</summary>
    public static void CreateTemplateRoot(string root)
    {
        Write(root, "etc/passwd", $"root:x:0:0:root:/root:/bin/bash\n{User}:x:1000:1000:Debian:/home/{User}:/bin/bash\n");
        Write(root, "etc/hostname", "template\n");
        Write(root, "etc/hosts", "127.0.0.1\tlocalhost\n127.0.1.1\ttemplate\n\n::1     localhost ip6-localhost ip6-loopback\n");
        Directory.CreateDirectory(Path.Combine(root, "root"));
        Directory.CreateDirectory(Path.Combine(root, "home", User));
    }

    /// <summary>The clone's identity: name, address, resolver, the operator's SSH key, a cloud-init seed.</summary>
    public static JsonElement Config(string hostname) => JsonSerializer.SerializeToElement(
        new FirstBootConfig
        {
            Hostname = hostname,
            Domain = "example.org",
            Interfaces = [new InterfaceConfig { Name = "eth0", Addresses = ["192.0.2.10/24"], Gateway = "192.0.2.1" }],
            Dns = new DnsConfig { Servers = ["192.0.2.53"], Search = ["example.org"] },
            SshAuthorizedKeys = [new UserAuthorizedKeys { User = User, Keys = [OperatorKey()] }],
            CloudInit = new CloudInitSeed { InstanceId = $"i-{hostname}" },
        },
        FirstBootJsonContext.Default.FirstBootConfig);

    /// <summary>An invalid configuration, to show the guest refusing it field by field.</summary>
    public static JsonElement BadConfig() => JsonSerializer.SerializeToElement(
        new FirstBootConfig
        {
            Hostname = "web_1",
            Interfaces = [new InterfaceConfig { Name = "eth0", Addresses = ["192.0.2.10/33"] }],
        },
        FirstBootJsonContext.Default.FirstBootConfig);

    /// <summary>A well-formed ssh-ed25519 public key line (RFC 4253 blob: type string, 32-byte key).</summary>
    private static string OperatorKey()
    {
        var type = "ssh-ed25519"u8.ToArray();
        var blob = new byte[4 + type.Length + 4 + 32];
        BinaryPrimitives.WriteUInt32BigEndian(blob, (uint)type.Length);
        type.CopyTo(blob, 4);
        BinaryPrimitives.WriteUInt32BigEndian(blob.AsSpan(4 + type.Length), 32);
        blob.AsSpan(8 + type.Length).Fill(0x42);
        return $"ssh-ed25519 {Convert.ToBase64String(blob)} operator@dom0";
    }

    private static void Write(string root, string relative, string content)
    {
        var path = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content, new UTF8Encoding(false));
    }
}
