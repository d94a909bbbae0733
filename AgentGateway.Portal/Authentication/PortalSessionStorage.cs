using Microsoft.AspNetCore.DataProtection;
using StackExchange.Redis;

namespace AgentGateway.Portal.Authentication;

/// <summary>
/// Where Portal instances keep what they must share to serve each other's users: the data-protection key ring (which
/// encrypts the auth cookie, the sign-in's state and the stored tokens) and the users' tokens.
/// </summary>
internal static class PortalSessionStorage
{
    /// <summary>The Redis key of the shared key ring.</summary>
    public const string KeyRingKey = "agentgateway:portal:data-protection-keys";

    /// <summary>The prefix of the Portal's keys in the shared cache.</summary>
    public const string CachePrefix = "agentgateway:portal:";

    /// <summary>
    /// With <c>ConnectionStrings:redis</c>, the key ring and the tokens live in Redis and any number of instances serve
    /// any user. Without it, the tokens stay in this process; the key ring goes to <c>DataProtection:KeysPath</c> when
    /// set (a volume, so a restart keeps sessions), else where ASP.NET Core keeps it by default.
    /// </summary>
    public static IHostApplicationBuilder AddPortalSessionStorage(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        // One application name whatever the instance's content root, so every instance reads what another protected.
        var dataProtection = builder.Services.AddDataProtection().SetApplicationName("agentgateway-portal");
        if (builder.Configuration.GetConnectionString("redis") is { Length: > 0 } redis)
        {
            var options = ConfigurationOptions.Parse(redis);
            options.AbortOnConnectFail = false;
            var connection = new Lazy<IConnectionMultiplexer>(() => ConnectionMultiplexer.Connect(options));
            dataProtection.PersistKeysToStackExchangeRedis(() => connection.Value.GetDatabase(), KeyRingKey);
            builder.Services.AddStackExchangeRedisCache(cache =>
            {
                cache.ConnectionMultiplexerFactory = () => Task.FromResult(connection.Value);
                cache.InstanceName = CachePrefix;
            });
        }
        else
        {
            if (builder.Configuration["DataProtection:KeysPath"] is { Length: > 0 } path)
            {
                dataProtection.PersistKeysToFileSystem(new DirectoryInfo(path));
            }

            builder.Services.AddDistributedMemoryCache();
        }

        return builder;
    }
}
