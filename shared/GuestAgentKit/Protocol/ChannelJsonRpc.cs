using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using StreamJsonRpc;
using StreamJsonRpc.Protocol;

namespace GuestAgentKit.Protocol;

/// <summary>
/// StreamJsonRpc configured for the channel: <see cref="SystemTextJsonFormatter"/> with the
/// source-generated <see cref="ProtocolJsonContext"/> first, and error responses that carry only a code
/// and a message — never exception types or stack traces (STYLE.md, untrusted input rule 7).
/// </summary>
internal sealed class ChannelJsonRpc : JsonRpc
{
    private readonly JsonSerializerOptions _serializerOptions;

    /// <param name="handler">A handler whose formatter came from <see cref="CreateFormatter"/>.</param>
    public ChannelJsonRpc(IJsonRpcMessageHandler handler)
        : base(handler)
    {
        _serializerOptions = ((SystemTextJsonFormatter)handler.Formatter).JsonSerializerOptions;
    }

    /// <summary>
    /// A formatter resolving our types first, then <paramref name="userResolver"/>, then (if enabled) reflection.
    /// </summary>
    /// <remarks>
    /// StreamJsonRpc marks the whole <see cref="SystemTextJsonFormatter"/> as needing dynamic code and unreferenced code
    /// because some payload types it can carry are handled by closing generic types at run time: <c>IProgress&lt;T&gt;</c>,
    /// <c>IAsyncEnumerable&lt;T&gt;</c>, <c>[RpcMarshalable]</c> interfaces, exceptions serialized into error data. Our
    /// channel carries none of them (errors carry a code and a message only, see <see cref="CreateErrorDetails"/>), and
    /// every other type is resolved through source-generated metadata first; this is the configuration StreamJsonRpc's
    /// own NativeAOT guidance suppresses these warnings for. The reflection resolver is added only where reflection is
    /// enabled (never under NativeAOT or trimming: the feature switch removes that branch).
    /// </remarks>
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "See remarks: no payload type of ours needs the formatter's dynamic paths; reflection only where enabled.")]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "See remarks: no payload type of ours needs the formatter's dynamic paths; reflection only where enabled.")]
    public static SystemTextJsonFormatter CreateFormatter(IJsonTypeInfoResolver? userResolver)
    {
        var formatter = new SystemTextJsonFormatter();
        var resolvers = new List<IJsonTypeInfoResolver> { ProtocolJsonContext.Default };
        if (userResolver is not null)
        {
            resolvers.Add(userResolver);
        }

        if (System.Text.Json.JsonSerializer.IsReflectionEnabledByDefault)
        {
            resolvers.Add(new DefaultJsonTypeInfoResolver());
        }

        formatter.JsonSerializerOptions.TypeInfoResolver = JsonTypeInfoResolver.Combine([.. resolvers]);
        return formatter;
    }

    /// <summary>Sends a notification with named parameters (<c>"params":{...}</c>) taken from <paramref name="arguments"/>.</summary>
    public Task NotifyNamedAsync(string method, object arguments) =>
        NotifyWithParameterObjectAsync(method, NamedArguments(arguments), null);

    /// <summary>Calls <paramref name="method"/> with named parameters (<c>"params":{...}</c>) taken from <paramref name="arguments"/>.</summary>
    public Task<T> InvokeNamedAsync<T>(string method, object arguments, CancellationToken cancellationToken) =>
        InvokeWithParameterObjectAsync<T>(method, NamedArguments(arguments), null, cancellationToken);

    /// <summary>
    /// The members of <paramref name="arguments"/> as JSON values, serialized through the formatter's resolvers (so
    /// source-generated metadata is enough): StreamJsonRpc's untyped parameter-object overloads reflect over the object
    /// instead, which trimming cannot follow.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="arguments"/> does not serialize as a JSON object.</exception>
    /// <exception cref="NotSupportedException">No resolver has metadata for its type.</exception>
    private Dictionary<string, object?> NamedArguments(object arguments)
    {
        var element = JsonSerializer.SerializeToElement(arguments, _serializerOptions.GetTypeInfo(arguments.GetType()));
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new ArgumentException($"named arguments must serialize as a JSON object, not {element.ValueKind}", nameof(arguments));
        }

        return element.EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value, StringComparer.Ordinal);
    }

    /// <summary>
    /// Error <c>data</c> on this channel is never StreamJsonRpc's exception description (we strip it when
    /// sending); it is whatever the method documents, so callers get it as raw JSON
    /// (<see cref="RemoteRpcException.ErrorData"/> is a <see cref="System.Text.Json.JsonElement"/>).
    /// </summary>
    protected override Type? GetErrorDetailsDataType(JsonRpcError error) => typeof(System.Text.Json.JsonElement);

    protected override JsonRpcError.ErrorDetail CreateErrorDetails(JsonRpcRequest request, Exception exception)
    {
        while (exception is TargetInvocationException { InnerException: { } inner })
        {
            exception = inner;
        }

        return exception is LocalRpcException local
            ? new JsonRpcError.ErrorDetail { Code = (JsonRpcErrorCode)local.ErrorCode, Message = local.Message, Data = local.ErrorData }
            : new JsonRpcError.ErrorDetail { Code = JsonRpcErrorCode.InvocationError, Message = exception.Message };
    }
}
