using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace AgentGateway.Proxy.Pipeline.RateLimiting;

/// <summary>
/// The Redis connection of distributed rate limits (<c>RateLimiting:Redis</c>, else <c>ConnectionStrings:redis</c>),
/// opened on first use. The proxy never waits on Redis: commands fail at once while it is disconnected (so the
/// policy's failure mode answers), and the connection comes back by itself when Redis does.
/// </summary>
internal sealed partial class RedisRateLimitStore(IOptions<RateLimitingOptions> options, IConfiguration configuration, ILogger<RedisRateLimitStore> logger)
    : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private Task<ConnectionMultiplexer>? _connection;

    /// <summary>The connection string, or null when the proxy has no Redis.</summary>
    public string? ConnectionString { get; } =
        options.Value.Redis is { Length: > 0 } redis ? redis : configuration.GetConnectionString("redis") is { Length: > 0 } aspire ? aspire : null;

    public string KeyPrefix => options.Value.KeyPrefix;

    /// <summary>
    /// Takes <paramref name="cost"/> tokens from every bucket of <paramref name="buckets"/> (keys <paramref name="keys"/>)
    /// in one atomic step; a <paramref name="debit"/> takes what there is up to the cost and never refuses. Throws
    /// <see cref="RateLimiterUnavailableException"/> when Redis cannot answer in time.
    /// </summary>
    public async Task<BucketState[]> TryTakeAsync(
        IReadOnlyList<BucketDefinition> buckets, RedisKey[] keys, long cost, TimeSpan timeout, CancellationToken cancellationToken, bool debit = false)
    {
        var arguments = new RedisValue[1 + (buckets.Count * 3)];
        arguments[0] = debit ? -cost : cost;
        for (var index = 0; index < buckets.Count; index++)
        {
            arguments[1 + (index * 3)] = buckets[index].MaxTokens;
            arguments[2 + (index * 3)] = buckets[index].TokensPerFill;
            arguments[3 + (index * 3)] = buckets[index].FillIntervalMs;
        }

        RedisResult result;
        try
        {
            var connection = await Connect().WaitAsync(timeout, cancellationToken);
            result = await connection.GetDatabase().ScriptEvaluateAsync(RedisTokenBucketScript.Source, keys, arguments).WaitAsync(timeout, cancellationToken);
        }
        catch (TimeoutException exception)
        {
            throw new RateLimiterUnavailableException("Redis did not answer in time", exception);
        }
        catch (RedisException exception)
        {
            throw new RateLimiterUnavailableException(exception.Message, exception);
        }

        var values = (RedisResult[])result!;
        if (values.Length != 1 + (buckets.Count * 2))
        {
            throw new RateLimiterUnavailableException($"Redis answered the rate-limit script with {values.Length} values");
        }

        var allowed = (long)values[0] == 1;
        var states = new BucketState[buckets.Count];
        for (var index = 0; index < buckets.Count; index++)
        {
            var bucket = buckets[index];
            states[index] = BucketState.Of(bucket.Name, allowed, bucket.MaxTokens, bucket.TokensPerFill, bucket.FillIntervalMs,
                (long)values[1 + (index * 2)], (long)values[2 + (index * 2)], cost);
        }

        return states;
    }

    /// <summary>
    /// The proxy's Redis database, for other state replicas share (stored LLM responses); throws
    /// <see cref="RateLimiterUnavailableException"/> when there is none or it does not connect in time.
    /// </summary>
    public async Task<IDatabase> DatabaseAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            return (await Connect().WaitAsync(timeout, cancellationToken)).GetDatabase();
        }
        catch (TimeoutException exception)
        {
            throw new RateLimiterUnavailableException("Redis did not answer in time", exception);
        }
    }

    private Task<ConnectionMultiplexer> Connect()
    {
        if (Volatile.Read(ref _connection) is { IsFaulted: false } existing)
        {
            return existing;
        }

        if (ConnectionString is not { } connectionString)
        {
            throw new RateLimiterUnavailableException("the proxy has no Redis: set RateLimiting:Redis (or ConnectionStrings:redis)");
        }

        lock (_gate)
        {
            if (_connection is null or { IsFaulted: true })
            {
                _connection = Task.Run(() => OpenAsync(connectionString));
            }

            return _connection;
        }
    }

    private async Task<ConnectionMultiplexer> OpenAsync(string connectionString)
    {
        var configurationOptions = ConfigurationOptions.Parse(connectionString);
        configurationOptions.AbortOnConnectFail = false;
        configurationOptions.BacklogPolicy = BacklogPolicy.FailFast;
        configurationOptions.ClientName ??= "agentgateway-proxy";
        var connection = await ConnectionMultiplexer.ConnectAsync(configurationOptions);
        connection.ConnectionFailed += (_, failed) => LogConnectionFailed(logger, failed.EndPoint?.ToString() ?? "redis", failed.FailureType.ToString());
        connection.ConnectionRestored += (_, restored) => LogConnectionRestored(logger, restored.EndPoint?.ToString() ?? "redis");
        if (!connection.IsConnected)
        {
            LogConnectionFailed(logger, string.Join(',', configurationOptions.EndPoints), "not reachable at startup; retrying in the background");
        }

        return connection;
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is { IsCompletedSuccessfully: true } connection)
        {
            await connection.Result.DisposeAsync();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rate-limit Redis {EndPoint} connection failed: {Failure}")]
    private static partial void LogConnectionFailed(ILogger logger, string endPoint, string failure);

    [LoggerMessage(Level = LogLevel.Information, Message = "Rate-limit Redis {EndPoint} connection restored")]
    private static partial void LogConnectionRestored(ILogger logger, string endPoint);
}
