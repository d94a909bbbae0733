using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using AgentGateway.Contracts.V1;
using AgentGateway.Proxy.Llm.Providers;
using AgentGateway.Proxy.Policies.Authentication;
using AgentGateway.Proxy.Policies.RateLimiting;
using StackExchange.Redis;

namespace AgentGateway.Proxy.Llm;

/// <summary>
/// The Responses API's stored responses: each answered response (unless the request said <c>store: false</c>) with
/// the conversation that led to it, so that a later request names it as <c>previous_response_id</c> instead of sending
/// the conversation again, and <c>GET</c>/<c>DELETE {path}/v1/responses/{id}</c> read and remove it. Kept in the
/// proxy's Redis when it has one (every replica sees them), else by this proxy (at most
/// <see cref="MaxLocalResponses"/>); for <see cref="Lifetime"/>, per route and per caller (its API key or subject).
/// </summary>
internal sealed partial class LlmResponseStore(RedisRateLimitStore redis, TimeProvider time, ILogger<LlmResponseStore> logger)
{
    /// <summary>How long a response is kept (OpenAI keeps its own for 30 days).</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(30);

    public const int MaxLocalResponses = 10_000;

    /// <summary>A larger conversation is not stored (a later request naming it is told so).</summary>
    public const int MaxStoredCharacters = 4 * 1024 * 1024;

    private static readonly TimeSpan s_redisTimeout = TimeSpan.FromSeconds(2);

    private readonly ConcurrentDictionary<string, (string Json, DateTimeOffset Expires)> _local = new(StringComparer.Ordinal);

    /// <summary>
    /// Puts the stored conversation of the request's <c>previous_response_id</c> ahead of its input. Null when the
    /// request names none or it was found; else the error to answer (status and message).
    /// </summary>
    public async Task<(int Status, string Message)?> ContinueAsync(Route route, GatewayCaller caller, JsonObject request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request["previous_response_id"] is not JsonValue named || !named.TryGetValue<string>(out var id))
        {
            return null;
        }

        JsonObject? stored;
        try
        {
            stored = await FindAsync(route, caller, id, cancellationToken);
        }
        catch (RateLimiterUnavailableException exception)
        {
            return (StatusCodes.Status503ServiceUnavailable, $"Stored responses cannot be read: {exception.Message}.");
        }

        if (stored?["items"] is not JsonArray items)
        {
            return (StatusCodes.Status400BadRequest, $"Previous response with id '{id}' not found.");
        }

        var conversation = (JsonArray)items.DeepClone();
        foreach (var item in Items(request["input"]))
        {
            conversation.Add(item);
        }

        request["input"] = conversation;
        return null;
    }

    /// <summary>Stores <paramref name="response"/> with the conversation it answered, unless the request said not to.</summary>
    public async Task SaveAsync(Route route, GatewayCaller caller, JsonObject request, JsonObject response, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(response);
        if (request["store"] is JsonValue flag && flag.TryGetValue<bool>(out var store) && !store || (string?)response["id"] is not { } id)
        {
            return;
        }

        var items = new JsonArray([.. Items(request["input"]).Select(item => item.DeepClone())]);
        foreach (var item in (response["output"] as JsonArray ?? []).OfType<JsonObject>())
        {
            items.Add(item.DeepClone());
        }

        var json = new JsonObject { ["owner"] = Owner(caller), ["items"] = items, ["response"] = response.DeepClone() }.ToJsonString();
        if (json.Length > MaxStoredCharacters)
        {
            LogTooLarge(logger, id, json.Length);
            return;
        }

        var key = Key(route, id);
        if (redis.ConnectionString is null)
        {
            if (_local.Count >= MaxLocalResponses)
            {
                Prune();
            }

            _local[key] = (json, time.GetUtcNow() + Lifetime);
            return;
        }

        try
        {
            var database = await redis.DatabaseAsync(s_redisTimeout, cancellationToken);
            await database.StringSetAsync(key, json, Lifetime).WaitAsync(s_redisTimeout, cancellationToken);
        }
        catch (Exception exception) when (exception is RateLimiterUnavailableException or RedisException or TimeoutException)
        {
            // The answer went out; a later request naming it is told it was not found.
            LogNotStored(logger, id, exception.Message);
        }
    }

    /// <summary>The stored response <paramref name="id"/> of the route, if the caller stored it; null when there is none.</summary>
    public async Task<JsonObject?> FindAsync(Route route, GatewayCaller caller, string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(route);
        var key = Key(route, id);
        string? json;
        if (redis.ConnectionString is null)
        {
            json = _local.TryGetValue(key, out var entry) && entry.Expires > time.GetUtcNow() ? entry.Json : null;
        }
        else
        {
            try
            {
                var database = await redis.DatabaseAsync(s_redisTimeout, cancellationToken);
                json = await database.StringGetAsync(key).WaitAsync(s_redisTimeout, cancellationToken);
            }
            catch (Exception exception) when (exception is RedisException or TimeoutException)
            {
                throw new RateLimiterUnavailableException(exception.Message, exception);
            }
        }

        return json is not null && ProviderAdapter.ParseObject(json) is { } stored && (string?)stored["owner"] == Owner(caller) ? stored : null;
    }

    /// <summary>Removes the caller's stored response <paramref name="id"/>; false when there was none.</summary>
    public async Task<bool> DeleteAsync(Route route, GatewayCaller caller, string id, CancellationToken cancellationToken)
    {
        if (await FindAsync(route, caller, id, cancellationToken) is null)
        {
            return false;
        }

        var key = Key(route, id);
        if (redis.ConnectionString is null)
        {
            return _local.TryRemove(key, out _);
        }

        try
        {
            var database = await redis.DatabaseAsync(s_redisTimeout, cancellationToken);
            return await database.KeyDeleteAsync(key).WaitAsync(s_redisTimeout, cancellationToken);
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            throw new RateLimiterUnavailableException(exception.Message, exception);
        }
    }

    /// <summary>A Responses input as items: a string is one user message.</summary>
    private static IEnumerable<JsonNode> Items(JsonNode? input) => input switch
    {
        JsonValue text when text.TryGetValue<string>(out var said) => [new JsonObject { ["type"] = "message", ["role"] = "user", ["content"] = said }],
        JsonArray items => [.. items.OfType<JsonObject>().Select(item => item.DeepClone())],
        _ => [],
    };

    private static string Owner(GatewayCaller caller) => caller.ApiKey?.Id is { Length: > 0 } key ? $"key:{key}" : caller.Subject is { Length: > 0 } subject ? $"sub:{subject}" : string.Empty;

    private string Key(Route route, string id) => $"{redis.KeyPrefix}llm-response:{route.Tenant}/{route.Name}/{id}";

    /// <summary>Drops the expired responses, and when that is not enough the oldest tenth.</summary>
    private void Prune()
    {
        var now = time.GetUtcNow();
        foreach (var (key, entry) in _local)
        {
            if (entry.Expires <= now)
            {
                _local.TryRemove(key, out _);
            }
        }

        if (_local.Count >= MaxLocalResponses)
        {
            foreach (var (key, _) in _local.OrderBy(entry => entry.Value.Expires).Take(MaxLocalResponses / 10).ToList())
            {
                _local.TryRemove(key, out _);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Response {Id} was not stored: {Reason}")]
    private static partial void LogNotStored(ILogger logger, string id, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Response {Id} was not stored: its conversation has {Characters} characters")]
    private static partial void LogTooLarge(ILogger logger, string id, int characters);
}
