using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace GuestAgentKit.Guest.Agent;

/// <summary>Registers agent plugins: interfaces whose methods the agent serves as JSON-RPC.</summary>
public static class AgentServiceCollectionExtensions
{
    /// <summary>Serves the methods of <typeparamref name="TInterface"/> as <c>prefix.method</c> (camelCase without
    /// <c>Async</c>: <c>ApplyAsync</c> under <c>config</c> is <c>config.apply</c>), implemented by a singleton
    /// <typeparamref name="TImplementation"/> created by DI (so it can take an <c>ILogger&lt;T&gt;</c> and other services).</summary>
    /// <typeparam name="TInterface">The served interface (only its methods are exposed).</typeparam>
    /// <typeparam name="TImplementation">The implementation.</typeparam>
    /// <param name="services">The service collection.</param>
    /// <param name="prefix">The method prefix: ASCII letters, digits, '.', '-', '_'; <c>agent</c> is the built-ins'.</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection AddAgentPlugin<TInterface, [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TImplementation>(
        this IServiceCollection services,
        string prefix)
        where TInterface : class
        where TImplementation : class, TInterface
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(prefix);
        services.TryAddSingleton<TImplementation>();
        services.AddSingleton(new AgentPluginRegistration(
            prefix,
            typeof(TInterface),
            (endpoint, provider) => endpoint.AddTarget<TInterface>(prefix, provider.GetRequiredService<TImplementation>())));
        return services;
    }

    /// <summary>Serves the methods of <typeparamref name="TInterface"/> as <c>prefix.method</c>, implemented by
    /// the object <paramref name="factory"/> returns when the agent starts.</summary>
    /// <typeparam name="TInterface">The served interface.</typeparam>
    /// <param name="services">The service collection.</param>
    /// <param name="prefix">The method prefix.</param>
    /// <param name="factory">Creates the implementation.</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection AddAgentPlugin<TInterface>(this IServiceCollection services, string prefix, Func<IServiceProvider, TInterface> factory)
        where TInterface : class
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(prefix);
        ArgumentNullException.ThrowIfNull(factory);
        services.AddSingleton(new AgentPluginRegistration(
            prefix,
            typeof(TInterface),
            (endpoint, provider) => endpoint.AddTarget(prefix, factory(provider))));
        return services;
    }

    /// <summary>Adds serialization metadata for plugin parameter and result types; needed under NativeAOT and
    /// trimming (reflection is the fallback elsewhere).</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="resolver">E.g. <c>MyPluginJsonContext.Default</c>.</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection AddAgentJsonTypeInfoResolver(this IServiceCollection services, IJsonTypeInfoResolver resolver)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(resolver);
        services.AddSingleton(new AgentJsonResolver(resolver));
        return services;
    }
}
