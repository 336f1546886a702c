using System.Text;

namespace GuestAgentKit.Samples.FirstBoot.Guest;

/// <summary>
/// Applies a <see cref="FirstBootConfig"/> to the files a Debian/Ubuntu guest reads, inside a root
/// directory (<c>/</c> in a guest; a temp tree in tests; a mounted image when preparing one offline).
/// All or nothing: the config is validated, every file rendered in memory and compared with what is
/// there, and only then are the changed files written through a <see cref="FileTransaction"/>.
/// Idempotent: a second apply of the same config reports every file unchanged and writes nothing.
/// </summary>
/// <remarks>
/// Files: /etc/hostname, the 127.0.1.1 line of /etc/hosts, /etc/network/interfaces.d/NAME per
/// interface, /etc/resolv.conf when <c>dns</c> is given, a managed block in ~user/.ssh/authorized_keys
/// (file 0600, a created .ssh 0700, both owned by the user when we run as root), and the NoCloud seed.
/// Not done: files of interfaces or seed documents dropped from a later config are not deleted, and an
/// existing file's owner is not compared (only content and, for authorized_keys, the mode).
/// Not thread-safe across concurrent applies to one root: the RPC layer runs one at a time.
/// </remarks>
public sealed class FirstBootApplier
{
    private const UnixFileMode DefaultFileMode =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    private const UnixFileMode DefaultDirectoryMode =
        DefaultFileMode | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    private const UnixFileMode PrivateFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode PrivateDirectoryMode = PrivateFileMode | UnixFileMode.UserExecute;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly string _root;
    private readonly IFileOps _ops;

    /// <summary>Creates an applier for the guest tree at <paramref name="root"/>.</summary>
    public FirstBootApplier(string root = "/")
        : this(root, PosixFileOps.Instance)
    {
    }

    internal FirstBootApplier(string root, IFileOps ops)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        _root = root;
        _ops = ops;
    }

    /// <summary>Validates against this root's users without writing anything.</summary>
    public FirstBootValidationResult Validate(FirstBootConfig? config) =>
        FirstBootConfigValidator.Validate(config, LoadUsers(new GuestRoot(_root)));

    /// <summary>
    /// Validates and applies. Throws <see cref="FirstBootConfigException"/> (invalid fields, nothing
    /// written) or <see cref="FirstBootApplyException"/> (file system problem, everything rolled back).
    /// </summary>
    public FirstBootApplyResult Apply(FirstBootConfig? config)
    {
        var root = new GuestRoot(_root);
        var users = LoadUsers(root);
        var validation = FirstBootConfigValidator.Validate(config, users);
        if (!validation.IsValid || config is null)
        {
            throw new FirstBootConfigException(validation.Errors);
        }

        var plan = Plan(root, config, users);
        new FileTransaction(_ops).Commit([.. plan.Where(p => p.Action != FileChangeAction.Unchanged)]);
        return new FirstBootApplyResult([.. plan.Select(p => new FileChange(p.Target.GuestPath, p.Action))]);
    }

    private List<PlannedFile> Plan(GuestRoot root, FirstBootConfig config, PasswdDatabase users)
    {
        var fqdn = config.Domain is null ? null : $"{config.Hostname}.{config.Domain}";
        var plan = new List<PlannedFile>
        {
            PlanFile(root, "/etc/hostname", _ => config.Hostname + "\n"),
            PlanFile(root, "/etc/hosts", existing => HostsFile.Render(existing, config.Hostname, fqdn)),
        };

        foreach (var nic in config.Interfaces ?? [])
        {
            plan.Add(PlanFile(root, $"/etc/network/interfaces.d/{nic.Name}", _ => InterfacesFile.Render(nic)));
        }

        if (config.Dns is { } dns)
        {
            plan.Add(PlanFile(root, "/etc/resolv.conf", _ => ResolvConf.Render(dns)));
        }

        foreach (var entry in config.SshAuthorizedKeys ?? [])
        {
            plan.Add(PlanAuthorizedKeys(root, entry, users));
        }

        if (config.CloudInit is { } seed)
        {
            foreach (var (path, content) in NoCloudSeed.Render(seed, config.Hostname, fqdn))
            {
                plan.Add(PlanFile(root, path, _ => content));
            }
        }

        return plan;
    }

    private PlannedFile PlanAuthorizedKeys(GuestRoot root, UserAuthorizedKeys entry, PasswdDatabase users)
    {
        if (!users.TryGetUser(entry.User, out var user))
        {
            throw new InvalidOperationException("validated user vanished"); // validation checked it against the same database
        }

        root.ResolveExistingDirectory(user.Home);
        var path = $"{user.Home.TrimEnd('/')}/.ssh/authorized_keys";
        var keys = entry.Keys.Select(k => SshPublicKey.TryParse(k, out var key, out _) ? key : throw new InvalidOperationException("validated key failed to parse")).ToList();
        return PlanFile(
            root,
            path,
            existing => AuthorizedKeysFile.TryRender(existing, keys, out var text, out var error)
                ? text
                : throw new FirstBootApplyException(path, error),
            PrivateFileMode,
            Environment.IsPrivilegedProcess ? (user.Uid, user.Gid) : null,
            PrivateDirectoryMode);
    }

    private static PlannedFile PlanFile(
        GuestRoot root,
        string guestPath,
        Func<string?, string> render,
        UnixFileMode? exactMode = null,
        (int Uid, int Gid)? owner = null,
        UnixFileMode directoryMode = DefaultDirectoryMode)
    {
        try
        {
            var target = root.ResolveFile(guestPath);
            var existing = target.ReadPath is null ? null : ReadBounded(target.ReadPath, guestPath);
            var content = StrictUtf8.GetBytes(render(existing is null ? null : DecodeExisting(existing, guestPath)));
            var currentMode = target.ReadPath is null ? (UnixFileMode?)null : File.GetUnixFileMode(target.ReadPath);
            var mode = exactMode ?? currentMode ?? DefaultFileMode;
            var action = existing is null ? FileChangeAction.Created
                : existing.AsSpan().SequenceEqual(content) && currentMode == mode ? FileChangeAction.Unchanged
                : FileChangeAction.Updated;
            return new PlannedFile(target, content, mode, owner, directoryMode, action);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException && e is not FirstBootApplyException)
        {
            throw new FirstBootApplyException(guestPath, $"{e.Message}; nothing was changed", e);
        }
    }

    private static PasswdDatabase LoadUsers(GuestRoot root)
    {
        var passwd = root.ResolveFile("/etc/passwd");
        return passwd.ReadPath is null
            ? PasswdDatabase.Empty
            : PasswdDatabase.Parse(DecodeExisting(ReadBounded(passwd.ReadPath, passwd.GuestPath), passwd.GuestPath));
    }

    private static byte[] ReadBounded(string hostPath, string guestPath)
    {
        using var stream = new FileStream(hostPath, FileMode.Open, FileAccess.Read);
        if (stream.Length > FirstBootLimits.MaxExistingFileBytes)
        {
            throw new FirstBootApplyException(guestPath, $"existing file is {stream.Length} bytes, more than the limit of {FirstBootLimits.MaxExistingFileBytes}");
        }

        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return bytes;
    }

    private static string DecodeExisting(byte[] bytes, string guestPath)
    {
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw new FirstBootApplyException(guestPath, "existing file is not valid UTF-8; refusing to rewrite it", e);
        }
    }
}
