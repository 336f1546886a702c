using System.Diagnostics;
using System.Runtime.Versioning;
using GuestAgentKit.Samples.FirstBoot.Guest;
using Moq;

namespace GuestAgentKit.Tests.Samples.FirstBoot;

[SupportedOSPlatform("linux")]
public sealed class FirstBootApplierTests : IDisposable
{
    private static readonly string AliceKey = TestKeys.Line("ssh-ed25519");
    private static readonly string RootKey = TestKeys.Line("ecdsa-sha2-nistp256", comment: null, seed: 2);

    private readonly TempGuestRoot _root = new();

    public void Dispose() => _root.Dispose();

    internal static FirstBootConfig FullConfig() => new()
    {
        Hostname = "web1",
        Domain = "example.org",
        Interfaces =
        [
            new InterfaceConfig
            {
                Name = "eth0",
                Addresses = ["192.0.2.10/24", "198.51.100.7/25", "2001:db8::10/64"],
                Gateway = "198.51.100.1",
                Gateway6 = "fe80::1",
            },
            new InterfaceConfig { Name = "eth1", Dhcp = true },
        ],
        Dns = new DnsConfig { Servers = ["192.0.2.53", "2001:db8::53"], Search = ["example.org", "corp.example.org"] },
        SshAuthorizedKeys =
        [
            new UserAuthorizedKeys { User = "alice", Keys = [AliceKey] },
            new UserAuthorizedKeys { User = "root", Keys = [RootKey] },
        ],
        CloudInit = new CloudInitSeed { InstanceId = "i-0042", UserData = "#cloud-config\npackages: [htop]\n" },
    };

    [Fact]
    public void Apply_FullConfig_WritesEveryFileByteForByte()
    {
        var result = new FirstBootApplier(_root.Path).Apply(FullConfig());

        Assert.Equal("web1\n", _root.Read("etc/hostname"));
        Assert.Equal(
            "127.0.0.1\tlocalhost\n127.0.1.1\tweb1.example.org\tweb1\n\n# The following lines are desirable for IPv6 capable hosts\n::1     localhost ip6-localhost ip6-loopback\n",
            _root.Read("etc/hosts"));
        Assert.Equal(
            InterfacesFile.Header + "\nauto eth0\n\n"
            + "iface eth0 inet static\n    address 192.0.2.10/24\n\n"
            + "iface eth0 inet static\n    address 198.51.100.7/25\n    gateway 198.51.100.1\n\n"
            + "iface eth0 inet6 static\n    address 2001:db8::10/64\n    gateway fe80::1\n",
            _root.Read("etc/network/interfaces.d/eth0"));
        Assert.Equal(InterfacesFile.Header + "\nauto eth1\n\niface eth1 inet dhcp\n", _root.Read("etc/network/interfaces.d/eth1"));
        Assert.Equal(
            "# Written by GuestAgentKit first-boot (config.apply); replaced on every apply.\nnameserver 192.0.2.53\nnameserver 2001:db8::53\nsearch example.org corp.example.org\n",
            _root.Read("etc/resolv.conf"));
        Assert.Equal($"# BEGIN guestagentkit\n{AliceKey}\n# END guestagentkit\n", _root.Read("home/alice/.ssh/authorized_keys"));
        Assert.Equal($"# BEGIN guestagentkit\n{RootKey}\n# END guestagentkit\n", _root.Read("root/.ssh/authorized_keys"));
        Assert.Equal("instance-id: i-0042\nlocal-hostname: web1.example.org\n", _root.Read("var/lib/cloud/seed/nocloud/meta-data"));
        Assert.Equal("#cloud-config\npackages: [htop]\n", _root.Read("var/lib/cloud/seed/nocloud/user-data"));
        Assert.False(File.Exists(_root.Combine("var/lib/cloud/seed/nocloud/network-config")));

        Assert.Equal(
            [
                new FileChange("/etc/hostname", FileChangeAction.Created),
                new FileChange("/etc/hosts", FileChangeAction.Updated),
                new FileChange("/etc/network/interfaces.d/eth0", FileChangeAction.Created),
                new FileChange("/etc/network/interfaces.d/eth1", FileChangeAction.Created),
                new FileChange("/etc/resolv.conf", FileChangeAction.Created),
                new FileChange("/home/alice/.ssh/authorized_keys", FileChangeAction.Created),
                new FileChange("/root/.ssh/authorized_keys", FileChangeAction.Created),
                new FileChange("/var/lib/cloud/seed/nocloud/meta-data", FileChangeAction.Created),
                new FileChange("/var/lib/cloud/seed/nocloud/user-data", FileChangeAction.Created),
            ],
            result.Files);
        Assert.DoesNotContain(_root.Snapshot().Keys, path => path.Contains(".gak-", StringComparison.Ordinal));
    }

    [Fact]
    public void Apply_AuthorizedKeys_ModesAndOwnerAreTheUsers()
    {
        new FirstBootApplier(_root.Path).Apply(FullConfig());

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_root.Combine("home/alice/.ssh/authorized_keys")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(_root.Combine("home/alice/.ssh")));
        var expectedOwner = Environment.IsPrivilegedProcess ? "1000:1000" : $"{Stat("%u:%g", _root.Path)}";
        Assert.Equal(expectedOwner, Stat("%u:%g", _root.Combine("home/alice/.ssh/authorized_keys")));
        Assert.Equal(expectedOwner, Stat("%u:%g", _root.Combine("home/alice/.ssh")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead, File.GetUnixFileMode(_root.Combine("etc/hostname")));
    }

    [Fact]
    public void Apply_Twice_SecondReportsAllUnchangedAndWritesNothing()
    {
        var applier = new FirstBootApplier(_root.Path);
        applier.Apply(FullConfig());
        var before = _root.Snapshot();

        var second = applier.Apply(FullConfig());

        Assert.All(second.Files, f => Assert.Equal(FileChangeAction.Unchanged, f.Action));
        Assert.Equal(9, second.Files.Count);
        Assert.False(second.Changed);
        Assert.Equal(before, _root.Snapshot());
    }

    [Fact]
    public void Apply_ExistingAuthorizedKeys_KeepsUnmanagedLinesAndReplacesBlockInPlace()
    {
        var own = TestKeys.Line("ssh-rsa", comment: "hand-added", seed: 9);
        _root.Write("home/alice/.ssh/authorized_keys", $"{own}\n# BEGIN guestagentkit\nssh-ed25519 OLD old\n# END guestagentkit\n# trailing comment");

        var result = new FirstBootApplier(_root.Path).Apply(FullConfig());

        Assert.Equal($"{own}\n# BEGIN guestagentkit\n{AliceKey}\n# END guestagentkit\n# trailing comment\n", _root.Read("home/alice/.ssh/authorized_keys"));
        Assert.Contains(new FileChange("/home/alice/.ssh/authorized_keys", FileChangeAction.Updated), result.Files);
    }

    [Fact]
    public void Apply_DamagedManagedBlock_RefusedAndNothingChanged()
    {
        _root.Write("home/alice/.ssh/authorized_keys", "# BEGIN guestagentkit\nssh-ed25519 AAAA x\n");
        var before = _root.Snapshot();

        var error = Assert.Throws<FirstBootApplyException>(() => new FirstBootApplier(_root.Path).Apply(FullConfig()));

        Assert.Equal("/home/alice/.ssh/authorized_keys", error.GuestPath);
        Assert.Contains("damaged managed block", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, _root.Snapshot());
    }

    [Fact]
    public void Apply_UnknownUser_RejectedNamingTheFieldAndNothingChanged()
    {
        var before = _root.Snapshot();
        var config = FullConfig() with { SshAuthorizedKeys = [new UserAuthorizedKeys { User = "mallory", Keys = [AliceKey] }] };

        var error = Assert.Throws<FirstBootConfigException>(() => new FirstBootApplier(_root.Path).Apply(config));

        var only = Assert.Single(error.Errors);
        Assert.Equal("sshAuthorizedKeys[0].user", only.Field);
        Assert.Contains("unknown user 'mallory'", only.Message, StringComparison.Ordinal);
        Assert.Equal(before, _root.Snapshot());
    }

    [Fact]
    public void Apply_EtcSymlinkLeavesRoot_RefusedAndNothingWrittenOutside()
    {
        var outside = Directory.CreateTempSubdirectory("gak-outside-").FullName;
        try
        {
            File.WriteAllText(Path.Join(outside, "passwd"), "alice:x:1000:1000::/home/alice:/bin/sh\nroot:x:0:0::/root:/bin/sh\n");
            Directory.Delete(_root.Combine("etc"), recursive: true);
            File.CreateSymbolicLink(_root.Combine("etc"), outside);
            var before = _root.Snapshot();

            var error = Assert.Throws<FirstBootApplyException>(() => new FirstBootApplier(_root.Path).Apply(FullConfig()));

            Assert.Contains("/etc is a symbolic link to " + outside, error.Message, StringComparison.Ordinal);
            Assert.Contains("outside the guest root", error.Message, StringComparison.Ordinal);
            Assert.Equal(before, _root.Snapshot());
            Assert.Equal(["passwd"], Directory.EnumerateFileSystemEntries(outside).Select(Path.GetFileName));
        }
        finally
        {
            Directory.Delete(outside, recursive: true);
        }
    }

    [Fact]
    public void Apply_RelativeSymlinkClimbsAboveRoot_Refused()
    {
        Directory.CreateDirectory(_root.Combine("var"));
        File.CreateSymbolicLink(_root.Combine("var/lib"), "../../..");
        var before = _root.Snapshot();

        var error = Assert.Throws<FirstBootApplyException>(() => new FirstBootApplier(_root.Path).Apply(FullConfig()));

        Assert.Contains("'..' leads above the guest root", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, _root.Snapshot());
    }

    [Fact]
    public void Apply_ResolvConfSymlinkInsideRoot_ReplacesTheLinkNotItsTarget()
    {
        _root.Write("run/resolvconf/resolv.conf", "nameserver 10.0.0.1\n");
        File.CreateSymbolicLink(_root.Combine("etc/resolv.conf"), "../run/resolvconf/resolv.conf");

        new FirstBootApplier(_root.Path).Apply(FullConfig());

        Assert.Null(new FileInfo(_root.Combine("etc/resolv.conf")).LinkTarget);
        Assert.StartsWith("# Written by GuestAgentKit", _root.Read("etc/resolv.conf"), StringComparison.Ordinal);
        Assert.Equal("nameserver 10.0.0.1\n", _root.Read("run/resolvconf/resolv.conf"));
    }

    [Fact]
    public void Apply_TargetPathIsADirectory_FailsNamingItAndNothingChanged()
    {
        Directory.CreateDirectory(_root.Combine("etc/resolv.conf"));
        var before = _root.Snapshot();

        var error = Assert.Throws<FirstBootApplyException>(() => new FirstBootApplier(_root.Path).Apply(FullConfig()));

        Assert.Equal("/etc/resolv.conf", error.GuestPath);
        Assert.Equal(before, _root.Snapshot());
    }

    [Fact]
    public void Apply_RenameFailsPartWay_RollsBackEveryEarlierRename()
    {
        _root.Write("etc/hostname", "template\n");
        var before = _root.Snapshot();
        var ops = new Mock<IFileOps>(MockBehavior.Strict);
        var real = PosixFileOps.Instance;
        ops.Setup(o => o.WriteNew(It.IsAny<string>(), It.IsAny<byte[]>(), It.IsAny<UnixFileMode>()))
            .Callback<string, byte[], UnixFileMode>(real.WriteNew);
        ops.Setup(o => o.SetOwner(It.IsAny<string>(), It.IsAny<int>(), It.IsAny<int>()))
            .Callback<string, int, int>(real.SetOwner);
        ops.Setup(o => o.Link(It.IsAny<string>(), It.IsAny<string>())).Callback<string, string>(real.Link);
        ops.Setup(o => o.Rename(It.IsAny<string>(), It.IsAny<string>()))
            .Callback<string, string>((source, destination) =>
            {
                if (destination.EndsWith("/nocloud/user-data", StringComparison.Ordinal))
                {
                    throw new IOException("simulated EIO");
                }

                real.Rename(source, destination);
            });

        var error = Assert.Throws<FirstBootApplyException>(() => new FirstBootApplier(_root.Path, ops.Object).Apply(FullConfig()));

        Assert.Equal("/var/lib/cloud/seed/nocloud/user-data", error.GuestPath);
        Assert.True(error.RollbackComplete);
        Assert.Contains("simulated EIO", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, _root.Snapshot());
        ops.Verify(o => o.Rename(It.IsAny<string>(), It.Is<string>(d => d.EndsWith("/etc/hostname", StringComparison.Ordinal))), Times.Exactly(2));
    }

    [Fact]
    public void Apply_WriteFailsPartWay_RemovesTempFilesAndCreatedDirectories()
    {
        var before = _root.Snapshot();
        var ops = new Mock<IFileOps>(MockBehavior.Strict);
        var real = PosixFileOps.Instance;
        ops.Setup(o => o.WriteNew(It.IsAny<string>(), It.IsAny<byte[]>(), It.IsAny<UnixFileMode>()))
            .Callback<string, byte[], UnixFileMode>((path, content, mode) =>
            {
                real.WriteNew(path, content, mode);
                if (path.Contains("/.ssh/", StringComparison.Ordinal))
                {
                    throw new IOException("simulated ENOSPC after the write");
                }
            });
        ops.Setup(o => o.SetOwner(It.IsAny<string>(), It.IsAny<int>(), It.IsAny<int>()))
            .Callback<string, int, int>(real.SetOwner);

        var error = Assert.Throws<FirstBootApplyException>(() => new FirstBootApplier(_root.Path, ops.Object).Apply(FullConfig()));

        Assert.Equal("/home/alice/.ssh/authorized_keys", error.GuestPath);
        Assert.Equal(before, _root.Snapshot());
    }

    [Fact]
    public void Apply_ChangedConfig_ReportsOnlyChangedFilesAsUpdated()
    {
        var applier = new FirstBootApplier(_root.Path);
        applier.Apply(FullConfig());

        var result = applier.Apply(FullConfig() with { Hostname = "web2" });

        var changed = result.Files.Where(f => f.Action != FileChangeAction.Unchanged).Select(f => f.Path);
        Assert.Equal(["/etc/hostname", "/etc/hosts", "/var/lib/cloud/seed/nocloud/meta-data"], changed);
        Assert.Equal("web2\n", _root.Read("etc/hostname"));
    }

    private static string Stat(string format, string path)
    {
        using var process = Process.Start(new ProcessStartInfo("stat", ["-c", format, path]) { RedirectStandardOutput = true })!;
        var output = process.StandardOutput.ReadToEnd().Trim();
        Assert.True(process.WaitForExit(10_000));
        return output;
    }
}
