using System.Runtime.Versioning;
using System.Text.Json;
using GuestAgentKit.Samples.FirstBoot.Guest;

namespace GuestAgentKit.Tests.Samples.FirstBoot;

[SupportedOSPlatform("linux")]
public sealed class FirstBootConfigValidatorTests : IDisposable
{
    private static readonly PasswdDatabase Users = PasswdDatabase.Parse("root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000::/home/alice:/bin/sh\n");

    private readonly TempGuestRoot _root = new();

    public void Dispose() => _root.Dispose();

    public static TheoryData<string, string> InvalidFields() => new()
    {
        { "hostname-empty", "hostname" },
        { "hostname-dotted", "hostname" },
        { "hostname-underscore", "hostname" },
        { "hostname-64", "hostname" },
        { "hostname-leading-hyphen", "hostname" },
        { "domain-bad-label", "domain" },
        { "fqdn-too-long", "domain" },
        { "too-many-interfaces", "interfaces" },
        { "ifname-16", "interfaces[1].name" },
        { "ifname-slash", "interfaces[1].name" },
        { "ifname-space", "interfaces[1].name" },
        { "ifname-duplicate", "interfaces[1].name" },
        { "no-addressing", "interfaces[1].addresses" },
        { "cidr-no-prefix", "interfaces[0].addresses[1]" },
        { "cidr-v4-prefix-33", "interfaces[0].addresses[1]" },
        { "cidr-v6-prefix-129", "interfaces[0].addresses[2]" },
        { "cidr-inet-aton", "interfaces[0].addresses[0]" },
        { "cidr-scoped-v6", "interfaces[0].addresses[2]" },
        { "dhcp-and-static", "interfaces[0].addresses[0]" },
        { "gateway-wrong-family", "interfaces[0].gateway" },
        { "gateway-unreachable", "interfaces[0].gateway" },
        { "gateway6-unreachable", "interfaces[0].gateway6" },
        { "gateway-with-dhcp", "interfaces[1].gateway" },
        { "dns-server-name", "dns.servers[1]" },
        { "dns-too-many-servers", "dns.servers" },
        { "dns-search-bad", "dns.search[0]" },
        { "dns-too-many-search", "dns.search" },
        { "unknown-user", "sshAuthorizedKeys[1].user" },
        { "duplicate-user", "sshAuthorizedKeys[1].user" },
        { "key-type-mismatch", "sshAuthorizedKeys[0].keys[0]" },
        { "key-unknown-type", "sshAuthorizedKeys[0].keys[0]" },
        { "key-newline", "sshAuthorizedKeys[0].keys[0]" },
        { "key-bad-base64", "sshAuthorizedKeys[0].keys[0]" },
        { "key-options-prefix", "sshAuthorizedKeys[0].keys[0]" },
        { "key-truncated-blob", "sshAuthorizedKeys[0].keys[0]" },
        { "too-many-keys", "sshAuthorizedKeys[0].keys" },
        { "instance-id-missing", "cloudInit.instanceId" },
        { "instance-id-yaml", "cloudInit.instanceId" },
        { "user-data-too-big", "cloudInit.userData" },
    };

    [Theory]
    [MemberData(nameof(InvalidFields))]
    public void Validate_InvalidField_OneErrorNamingThatField(string mutation, string field)
    {
        var result = FirstBootConfigValidator.Validate(Mutate(mutation), Users);

        var error = Assert.Single(result.Errors);
        Assert.Equal(field, error.Field);
        Assert.False(result.IsValid);
    }

    [Theory]
    [MemberData(nameof(InvalidFields))]
    public void Apply_InvalidField_ThrowsNamingFieldAndChangesNoFile(string mutation, string field)
    {
        var before = _root.Snapshot();

        var error = Assert.Throws<FirstBootConfigException>(() => new FirstBootApplier(_root.Path).Apply(Mutate(mutation)));

        Assert.Equal(field, Assert.Single(error.Errors).Field);
        Assert.StartsWith($"invalid config: {field}: ", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, _root.Snapshot());
    }

    [Fact]
    public void Validate_FullConfig_Valid()
    {
        Assert.Empty(FirstBootConfigValidator.Validate(FirstBootApplierTests.FullConfig(), Users).Errors);
    }

    [Theory]
    [InlineData("ssh-ed25519")]
    [InlineData("ssh-rsa")]
    [InlineData("ecdsa-sha2-nistp384")]
    [InlineData("ecdsa-sha2-nistp521")]
    [InlineData("sk-ssh-ed25519@openssh.com")]
    [InlineData("sk-ecdsa-sha2-nistp256@openssh.com")]
    public void SshPublicKey_KnownType_ParsesAndNormalizesSpacing(string type)
    {
        var line = TestKeys.Line(type, comment: "alice@laptop");

        Assert.True(SshPublicKey.TryParse("  " + line.Replace(" ", " \t ", StringComparison.Ordinal) + " ", out var key, out _));
        Assert.Equal(type, key.Type);
        Assert.Equal("alice@laptop", key.Comment);
        Assert.Equal(line, key.ToString());
    }

    [Fact]
    public void SshPublicKey_MismatchedEmbeddedType_ErrorNamesBothTypes()
    {
        Assert.False(SshPublicKey.TryParse(TestKeys.Line("ssh-ed25519", embeddedType: "ssh-rsa"), out _, out var error));
        Assert.Equal("declared type 'ssh-ed25519' does not match the type 'ssh-rsa' inside the key data", error);
    }

    [Fact]
    public void Validate_ManyErrors_CappedWithSummary()
    {
        var config = new FirstBootConfig
        {
            Hostname = "ok",
            Interfaces = [.. Enumerable.Range(0, FirstBootLimits.MaxInterfaces).Select(i => new InterfaceConfig { Name = $"bad name {i}", Dhcp = true })],
            Dns = new DnsConfig { Servers = ["x", "y", "z"], Search = [.. Enumerable.Range(0, 6).Select(i => $"-bad{i}")] },
            SshAuthorizedKeys = [.. Enumerable.Range(0, FirstBootLimits.MaxUsers).Select(i => new UserAuthorizedKeys { User = $"nobody{i}", Keys = [] })],
        };

        var result = FirstBootConfigValidator.Validate(config, Users);

        Assert.Equal(FirstBootLimits.MaxErrors + 1, result.Errors.Count);
        Assert.Equal("9 more errors not listed (limit 32)", result.Errors[^1].Message);
    }

    [Fact]
    public void Json_CamelCaseRequest_DeserializesAndRoundTrips()
    {
        const string json = """
            {"hostname":"web1","domain":"example.org",
             "interfaces":[{"name":"eth0","addresses":["192.0.2.10/24"],"gateway":"192.0.2.1"},{"name":"eth1","dhcp":true}],
             "dns":{"servers":["192.0.2.53"],"search":["example.org"]},
             "sshAuthorizedKeys":[{"user":"alice","keys":[]}],
             "cloudInit":{"instanceId":"i-1"}}
            """;

        var config = JsonSerializer.Deserialize(json, FirstBootJsonContext.Default.FirstBootConfig)!;

        Assert.Equal("192.0.2.1", config.Interfaces![0].Gateway);
        Assert.True(config.Interfaces[1].Dhcp);
        Assert.Equal("i-1", config.CloudInit!.InstanceId);
        Assert.Empty(FirstBootConfigValidator.Validate(config, Users).Errors);
        var again = JsonSerializer.Serialize(config, FirstBootJsonContext.Default.FirstBootConfig);
        Assert.Contains("\"sshAuthorizedKeys\":[{\"user\":\"alice\",\"keys\":[]}]", again, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"hostname":"a","bogus":1}""")]
    [InlineData("""{"hostname":null}""")]
    [InlineData("""{"domain":"x"}""")]
    public void Json_MalformedRequest_ThrowsJsonException(string json)
    {
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize(json, FirstBootJsonContext.Default.FirstBootConfig));
    }

    [Fact]
    public void Json_ApplyResult_ActionsAreLowercaseNames()
    {
        var json = JsonSerializer.Serialize(
            new FirstBootApplyResult([new FileChange("/etc/hostname", FileChangeAction.Created)]),
            FirstBootJsonContext.Default.FirstBootApplyResult);

        Assert.Equal("""{"files":[{"path":"/etc/hostname","action":"created"}],"changed":true}""", json);
    }

    private static FirstBootConfig Mutate(string mutation)
    {
        var c = FirstBootApplierTests.FullConfig();
        var eth0 = c.Interfaces![0];
        var eth1 = c.Interfaces[1];
        var alice = c.SshAuthorizedKeys![0];
        FirstBootConfig WithEth0(InterfaceConfig nic) => c with { Interfaces = [nic, eth1] };
        FirstBootConfig WithEth1(InterfaceConfig nic) => c with { Interfaces = [eth0, nic] };
        FirstBootConfig WithAliceKey(string key) => c with { SshAuthorizedKeys = [alice with { Keys = [key] }] };
        return mutation switch
        {
            "hostname-empty" => c with { Hostname = "" },
            "hostname-dotted" => c with { Hostname = "web1.example.org" },
            "hostname-underscore" => c with { Hostname = "web_1" },
            "hostname-64" => c with { Hostname = new string('a', 64) },
            "hostname-leading-hyphen" => c with { Hostname = "-web" },
            "domain-bad-label" => c with { Domain = "example..org" },
            "fqdn-too-long" => c with { Domain = string.Join('.', Enumerable.Repeat(new string('d', 62), 4)) },
            "too-many-interfaces" => c with { Interfaces = [.. Enumerable.Range(0, 17).Select(i => eth1 with { Name = $"eth{i}" })] },
            "ifname-16" => WithEth1(eth1 with { Name = "abcdefghijklmnop" }),
            "ifname-slash" => WithEth1(eth1 with { Name = "eth/1" }),
            "ifname-space" => WithEth1(eth1 with { Name = "eth 1" }),
            "ifname-duplicate" => WithEth1(eth1 with { Name = "eth0" }),
            "no-addressing" => WithEth1(eth1 with { Dhcp = false }),
            "cidr-no-prefix" => WithEth0(eth0 with { Addresses = ["192.0.2.10/24", "198.51.100.7", "2001:db8::10/64"] }),
            "cidr-v4-prefix-33" => WithEth0(eth0 with { Addresses = ["192.0.2.10/24", "198.51.100.7/33", "2001:db8::10/64"] }),
            "cidr-v6-prefix-129" => WithEth0(eth0 with { Addresses = ["192.0.2.10/24", "198.51.100.7/25", "2001:db8::10/129"] }),
            "cidr-inet-aton" => WithEth0(eth0 with { Addresses = ["192.2/24", "198.51.100.7/25", "2001:db8::10/64"] }),
            "cidr-scoped-v6" => WithEth0(eth0 with { Addresses = ["192.0.2.10/24", "198.51.100.7/25", "fe80::10%eth0/64"] }),
            "dhcp-and-static" => WithEth0(eth0 with { Dhcp = true, Gateway = null, Addresses = ["192.0.2.10/24", "2001:db8::10/64"] }),
            "gateway-wrong-family" => WithEth0(eth0 with { Gateway = "2001:db8::1" }),
            "gateway-unreachable" => WithEth0(eth0 with { Gateway = "203.0.113.1" }),
            "gateway6-unreachable" => WithEth0(eth0 with { Gateway6 = "2001:db9::1" }),
            "gateway-with-dhcp" => WithEth1(eth1 with { Gateway = "192.0.2.1" }),
            "dns-server-name" => c with { Dns = c.Dns! with { Servers = ["192.0.2.53", "ns1.example.org"] } },
            "dns-too-many-servers" => c with { Dns = c.Dns! with { Servers = ["192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4"] } },
            "dns-search-bad" => c with { Dns = c.Dns! with { Search = ["exa mple.org"] } },
            "dns-too-many-search" => c with { Dns = c.Dns! with { Search = [.. Enumerable.Range(0, 7).Select(i => $"d{i}.example")] } },
            "unknown-user" => c with { SshAuthorizedKeys = [alice, new UserAuthorizedKeys { User = "bob", Keys = [] }] },
            "duplicate-user" => c with { SshAuthorizedKeys = [alice, alice] },
            "key-type-mismatch" => WithAliceKey(TestKeys.Line("ssh-ed25519", embeddedType: "ssh-rsa")),
            "key-unknown-type" => WithAliceKey(TestKeys.Line("ssh-dss")),
            "key-newline" => WithAliceKey(TestKeys.Line("ssh-ed25519") + "\nssh-ed25519 AAAA injected"),
            "key-bad-base64" => WithAliceKey("ssh-ed25519 AAA*AAAA c"),
            "key-options-prefix" => WithAliceKey("command=\"/bin/sh\" " + TestKeys.Line("ssh-ed25519")),
            "key-truncated-blob" => WithAliceKey("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5 c"),
            "too-many-keys" => c with { SshAuthorizedKeys = [alice with { Keys = [.. Enumerable.Repeat(alice.Keys[0], 65)] }] },
            "instance-id-missing" => c with { CloudInit = c.CloudInit! with { InstanceId = null } },
            "instance-id-yaml" => c with { CloudInit = c.CloudInit! with { InstanceId = "i-1\nlocal-hostname: evil" } },
            "user-data-too-big" => c with { CloudInit = c.CloudInit! with { UserData = new string('x', FirstBootLimits.MaxCloudInitDocumentBytes + 1) } },
            _ => throw new ArgumentOutOfRangeException(nameof(mutation), mutation, null),
        };
    }
}
