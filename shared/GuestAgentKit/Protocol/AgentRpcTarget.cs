using System.Diagnostics.CodeAnalysis;
using StreamJsonRpc;

namespace GuestAgentKit.Protocol;

/// <summary>
/// An RPC target registered through an interface: its methods are served as
/// <c>&lt;prefix&gt;.&lt;camelCase name without "Async"&gt;</c>, e.g. <c>IAgentBuiltins.PingAsync</c> under
/// <c>agent</c> is <c>agent.ping</c>.
/// </summary>
internal sealed class AgentRpcTarget
{
    private readonly Action<JsonRpc, JsonRpcTargetOptions> _add;
    private readonly string _prefix;

    private AgentRpcTarget(Action<JsonRpc, JsonRpcTargetOptions> add, string prefix, IReadOnlyList<string> methods)
    {
        _add = add;
        _prefix = prefix;
        Methods = methods;
    }

    public IReadOnlyList<string> Methods { get; }

    public static AgentRpcTarget Create<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.All)] TInterface>(string prefix, TInterface target)
        where TInterface : class
    {
        var methods = new[] { typeof(TInterface) }
            .Concat(typeof(TInterface).GetInterfaces())
            .SelectMany(i => i.GetMethods())
            .Select(m => MethodName(prefix, m.Name))
            .Distinct(StringComparer.Ordinal)
            .ToArray();
        return new AgentRpcTarget((rpc, options) => rpc.AddLocalRpcTarget(target, options), prefix, methods);
    }

    /// <summary><c>prefix.camelCase</c> of the CLR name with a trailing <c>Async</c> removed.</summary>
    public static string MethodName(string prefix, string clrName)
    {
        var name = clrName.EndsWith("Async", StringComparison.Ordinal) && clrName.Length > 5 ? clrName[..^5] : clrName;
        return prefix + "." + char.ToLowerInvariant(name[0]) + name[1..];
    }

    public void AddTo(JsonRpc rpc) =>
        _add(rpc, new JsonRpcTargetOptions
        {
            MethodNameTransform = clrName => MethodName(_prefix, clrName),
            DisposeOnDisconnect = false,
        });
}
