using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AgentGateway.Portal.Services;

internal static class AdminApiClientExtensions
{
    /// <summary>The typed AdminApi client (<c>AdminApi:BaseUrl</c>) and where the Portal shows route endpoints (<c>Proxy:PublicUrl</c>).</summary>
    public static IHostApplicationBuilder AddAdminApiClient(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var baseUrl = builder.Configuration["AdminApi:BaseUrl"];
        if (!Uri.TryCreate(baseUrl, UriKind.Absolute, out var baseAddress))
        {
            throw new InvalidOperationException($"AdminApi:BaseUrl must be the absolute URL of AdminApi, e.g. http://localhost:5080; got '{baseUrl}'.");
        }

        builder.Services.TryAddScoped<AccessTokenProvider>();
        builder.Services.AddHttpClient(AccessTokenProvider.HttpClientName);
        builder.Services.AddHttpClient(GatewayPlayground.HttpClientName).WithoutResilience();
        builder.Services.TryAddScoped<GatewayTokenProvider>();
        builder.Services.AddScoped<GatewayPlayground>();
        builder.Services.AddScoped<LlmPlayground>();
        builder.Services.AddHttpClient<AdminApiClient>(http => http.BaseAddress = new Uri(baseAddress.AbsoluteUri.TrimEnd('/') + "/"));
        return builder;
    }
}
