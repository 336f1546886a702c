using System.Reflection;
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
    public ChannelJsonRpc(IJsonRpcMessageHandler handler)
        : base(handler)
    {
    }

    /// <summary>A formatter resolving our types first, then <paramref name="userResolver"/>, then (if enabled) reflection.</summary>
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
