using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using StreamJsonRpc;

namespace GuestAgentKit.Protocol;

/// <summary>
/// An RPC target registered through an interface: its methods are served as
/// <c>&lt;prefix&gt;.&lt;camelCase name without "Async"&gt;</c>, e.g. <c>IAgentBuiltins.PingAsync</c> under
/// <c>agent</c> is <c>agent.ping</c>. Described once by StreamJsonRpc's <see cref="RpcTargetMetadata"/>, the
/// registration its NativeAOT guidance asks for, so trimming keeps exactly the interface's methods.
/// </summary>
internal sealed class AgentRpcTarget
{
    private readonly RpcTargetMetadata _metadata;
    private readonly object _target;
    private readonly string _prefix;

    private AgentRpcTarget(RpcTargetMetadata metadata, object target, string prefix, IReadOnlyList<string> methods)
    {
        _metadata = metadata;
        _target = target;
        _prefix = prefix;
        Methods = methods;
    }

    public IReadOnlyList<string> Methods { get; }

    /// <exception cref="ArgumentException"><typeparamref name="TInterface"/> declares events (only methods are served).</exception>
    public static AgentRpcTarget Create<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.All)] TInterface>(string prefix, TInterface target)
        where TInterface : class
    {
        var metadata = Describe(typeof(TInterface));
        if (metadata.Events.Count > 0)
        {
            throw new ArgumentException($"{typeof(TInterface).Name} declares events; an agent target serves methods only (send notifications through the endpoint instead)", nameof(target));
        }

        // In declaration order (the interface's own methods, then its base interfaces'): the welcome lists them so.
        var methods = new[] { typeof(TInterface) }
            .Concat(typeof(TInterface).GetInterfaces())
            .SelectMany(DeclaredMethods)
            .Select(m => MethodName(prefix, m.Name))
            .Distinct(StringComparer.Ordinal)
            .ToArray();
        return new AgentRpcTarget(metadata, target, prefix, methods);
    }

    /// <summary><c>prefix.camelCase</c> of the CLR name with a trailing <c>Async</c> removed.</summary>
    public static string MethodName(string prefix, string clrName)
    {
        var name = clrName.EndsWith("Async", StringComparison.Ordinal) && clrName.Length > 5 ? clrName[..^5] : clrName;
        return prefix + "." + char.ToLowerInvariant(name[0]) + name[1..];
    }

    public void AddTo(JsonRpc rpc) =>
        rpc.AddLocalRpcTarget(_metadata, _target, new JsonRpcTargetOptions
        {
            MethodNameTransform = clrName => MethodName(_prefix, clrName),
            DisposeOnDisconnect = false,
        });

    // FromInterface is marked RequiresDynamicCode for one reason: an event of type EventHandler<T> makes it close a
    // generic handler type at run time (RpcTargetMetadata.TryAddCandidateEvent). Targets with events are refused right
    // after (and none of ours has any), so a served target never needs it; its methods are invoked through MethodInfo,
    // which NativeAOT keeps because TInterface is annotated DynamicallyAccessedMemberTypes.All from the public AddTarget on.
    [UnconditionalSuppressMessage("Trimming", "IL2070", Justification = "Base interfaces of a DynamicallyAccessedMemberTypes.All type keep their members: All applies to implemented interfaces recursively.")]
    private static MethodInfo[] DeclaredMethods(Type serviceInterface) => serviceInterface.GetMethods();

    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "Only events close generic types here, and targets with events are refused.")]
    private static RpcTargetMetadata Describe([DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.All)] Type serviceInterface) =>
        RpcTargetMetadata.FromInterface(serviceInterface);
}
