using GuestAgentKit.Protocol;

namespace GuestAgentKit.Samples.FirstBoot.Plugin;

/// <summary>Registers the first-boot plugin on an agent endpoint.</summary>
public static class FirstBootPlugin
{
    /// <summary>Endpoint options that resolve the plugin's JSON types from its source-generated context.</summary>
    /// <returns>Options for <see cref="AgentEndpoint"/>.</returns>
    public static AgentEndpointOptions EndpointOptions() =>
        new() { JsonTypeInfoResolver = Guest.FirstBootJsonContext.Default };

    /// <summary>Serves <paramref name="service"/> as <c>config.apply</c> and <c>config.validate</c>.</summary>
    /// <param name="endpoint">The agent endpoint (created with <see cref="EndpointOptions"/>).</param>
    /// <param name="service">The service bound to a guest root.</param>
    /// <returns>The endpoint.</returns>
    public static AgentEndpoint AddFirstBoot(this AgentEndpoint endpoint, FirstBootService service)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        return endpoint.AddTarget<IFirstBootService>(FirstBootMethods.Prefix, service);
    }
}
