using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using AgentGateway.Proxy.Kinds.Llm.Providers;
using AgentGateway.Proxy.Pipeline.Authentication;
using AgentGateway.Proxy.Pipeline.RateLimiting;
using AgentGateway.Proxy.Telemetry;
using StackExchange.Redis;

namespace AgentGateway.Proxy.Kinds.Llm.Exchange;

/// <summary>
/// The Responses API's stored responses: each answered response (unless the request said <c>store: false</c>) with
/// the conversation that led to it, so that a later request names it as <c>previous_response_id</c> instead of sending
/// the conversation again, and <c>GET</c>/<c>DELETE {path}/v1/responses/{id}</c> read and remove it. Kept in the
/// proxy's Redis when it has one (every replica sees them), else by this proxy (at most
/// <see cref="MaxLocalResponses"/> holding <see cref="MaxLocalCharacters"/>); for <see cref="Lifetime"/>, per route and
/// per caller (its API key or subject), who keeps at most <see cref="MaxResponsesPerCaller"/> (the oldest go first).
/// A response of a provider that serves the Responses API itself is the provider's to keep: of it, the gateway keeps
/// whose it is and which provider has it, so that no other caller of the route can name, read or delete it.
/// </summary>
internal sealed partial class LlmResponseStore(RedisRateLimitStore redis, TimeProvider time, ILogger<LlmResponseStore> logger)
{
    /// <summary>How long a response is kept (OpenAI keeps its own for 30 days).</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(30);

    public const int MaxLocalResponses = 10_000;

    /// <summary>What the responses this proxy keeps may hold together (about 128 MB).</summary>
    public const long MaxLocalCharacters = 64L * 1024 * 1024;

    /// <summary>How many responses one caller of a route keeps; a new one past it removes the caller's oldest.</summary>
    public const int MaxResponsesPerCaller = 1_000;

    /// <summary>A larger conversation is not stored (a later request naming it is told so).</summary>
    public const int MaxStoredCharacters = 4 * 1024 * 1024;

    private static readonly TimeSpan s_redisTimeout = TimeSpan.FromSeconds(2);

    private readonly ConcurrentDictionary<string, (string Json, DateTimeOffset Expires)> _local = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ConcurrentQueue<string>> _localByCaller = new(StringComparer.Ordinal);
    private long _localCharacters;

    /// <summary>
    /// How a request continues its <c>previous_response_id</c>: with the stored conversation put ahead of its input
    /// (when the gateway kept it), at the provider that keeps it (<see cref="ResponseContinuation.Provider"/>), or not
    /// at all (<see cref="ResponseContinuation.Error"/>: the status and message to answer).
    /// </summary>
    public async Task<ResponseContinuation> ContinueAsync(Route route, GatewayCaller caller, JsonObject request, string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        JsonObject? stored;
        try
        {
            stored = await FindAsync(route, caller, id, cancellationToken);
        }
        catch (RateLimiterUnavailableException exception)
        {
            return new(null, (StatusCodes.Status503ServiceUnavailable, $"Stored responses cannot be read: {exception.Message}."));
        }

        if ((string?)stored?["provider"] is { } provider)
        {
            return new(provider, null);
        }

        if (stored?["items"] is not JsonArray items)
        {
            return new(null, (StatusCodes.Status400BadRequest, $"Previous response with id '{id}' not found."));
        }

        var conversation = (JsonArray)items.DeepClone();
        foreach (var item in Items(request["input"]))
        {
            conversation.Add(item);
        }

        request["input"] = conversation;
        return new(null, null);
    }

    /// <summary>Stores <paramref name="response"/> with the conversation it answered, unless the request said not to.</summary>
    public Task SaveAsync(Route route, GatewayCaller caller, JsonObject request, JsonObject response, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(response);
        if (!Stores(request) || (string?)response["id"] is not { } id)
        {
            return Task.CompletedTask;
        }

        var items = new JsonArray([.. Items(request["input"]).Select(item => item.DeepClone())]);
        foreach (var item in (response["output"] as JsonArray ?? []).OfType<JsonObject>())
        {
            items.Add(item.DeepClone());
        }

        return PutAsync(route, caller, id, new JsonObject { ["owner"] = Owner(caller), ["items"] = items, ["response"] = response.DeepClone() }, cancellationToken);
    }

    /// <summary>
    /// Records that <paramref name="provider"/> keeps <paramref name="response"/> (it serves the Responses API itself)
    /// for the caller, unless the request said not to store it: the caller alone may then name it, and only at that
    /// provider. The response is kept as the caller was sent it (past the answer guards), to be read back so.
    /// </summary>
    public Task ClaimAsync(Route route, GatewayCaller caller, JsonObject request, JsonObject response, string provider, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(response);
        return !Stores(request) || (string?)response["id"] is not { } id
            ? Task.CompletedTask
            : PutAsync(route, caller, id, new JsonObject { ["owner"] = Owner(caller), ["provider"] = provider, ["response"] = response.DeepClone() }, cancellationToken);
    }

    private static bool Stores(JsonObject request) => request["store"] is not JsonValue flag || !flag.TryGetValue<bool>(out var store) || store;

    private async Task PutAsync(Route route, GatewayCaller caller, string id, JsonObject record, CancellationToken cancellationToken)
    {
        var json = record.ToJsonString();
        if (json.Length > MaxStoredCharacters)
        {
            LimitMetrics.Exceeded(LimitMetrics.StoredResponses);
            LogTooLarge(logger, id, json.Length);
            return;
        }

        var key = Key(route, id);
        var callerKey = CallerKey(route, caller);
        if (redis.ConnectionString is null)
        {
            if (_local.Count >= MaxLocalResponses || Interlocked.Read(ref _localCharacters) + json.Length > MaxLocalCharacters)
            {
                Prune(json.Length);
            }

            if (_local.TryGetValue(key, out var replaced) && _local.TryRemove(key, out _))
            {
                Interlocked.Add(ref _localCharacters, -replaced.Json.Length);
            }

            _local[key] = (json, time.GetUtcNow() + Lifetime);
            Interlocked.Add(ref _localCharacters, json.Length);
            var kept = _localByCaller.GetOrAdd(callerKey, static _ => new ConcurrentQueue<string>());
            kept.Enqueue(key);
            while (kept.Count > MaxResponsesPerCaller && kept.TryDequeue(out var oldest))
            {
                LimitMetrics.Exceeded(LimitMetrics.StoredResponses);
                RemoveLocal(oldest);
            }

            return;
        }

        try
        {
            var database = await redis.DatabaseAsync(s_redisTimeout, cancellationToken);
            await database.StringSetAsync(key, json, Lifetime).WaitAsync(s_redisTimeout, cancellationToken);

            // The caller's responses, newest first: past the bound, the oldest go.
            await database.ListLeftPushAsync(callerKey, key).WaitAsync(s_redisTimeout, cancellationToken);
            var surplus = await database.ListRangeAsync(callerKey, MaxResponsesPerCaller, -1).WaitAsync(s_redisTimeout, cancellationToken);
            if (surplus.Length > 0)
            {
                LimitMetrics.Exceeded(LimitMetrics.StoredResponses);
                await database.KeyDeleteAsync([.. surplus.Select(value => (RedisKey)value.ToString())]).WaitAsync(s_redisTimeout, cancellationToken);
                await database.ListTrimAsync(callerKey, 0, MaxResponsesPerCaller - 1).WaitAsync(s_redisTimeout, cancellationToken);
            }

            await database.KeyExpireAsync(callerKey, Lifetime).WaitAsync(s_redisTimeout, cancellationToken);
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
            return RemoveLocal(key);
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

    private string CallerKey(Route route, GatewayCaller caller) => $"{redis.KeyPrefix}llm-responses-of:{route.Tenant}/{route.Name}/{Owner(caller)}";

    private bool RemoveLocal(string key)
    {
        if (!_local.TryRemove(key, out var removed))
        {
            return false;
        }

        Interlocked.Add(ref _localCharacters, -removed.Json.Length);
        return true;
    }

    /// <summary>Drops the expired responses, and when that is not enough the oldest, until a response of <paramref name="room"/> characters fits.</summary>
    private void Prune(int room)
    {
        var now = time.GetUtcNow();
        foreach (var (key, entry) in _local)
        {
            if (entry.Expires <= now)
            {
                RemoveLocal(key);
            }
        }

        if (_local.Count < MaxLocalResponses && Interlocked.Read(ref _localCharacters) + room <= MaxLocalCharacters)
        {
            return;
        }

        LimitMetrics.Exceeded(LimitMetrics.StoredResponses);
        foreach (var (key, _) in _local.OrderBy(entry => entry.Value.Expires).ToList())
        {
            if (_local.Count < MaxLocalResponses * 9 / 10 && Interlocked.Read(ref _localCharacters) + room <= MaxLocalCharacters * 9 / 10)
            {
                break;
            }

            RemoveLocal(key);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Response {Id} was not stored: {Reason}")]
    private static partial void LogNotStored(ILogger logger, string id, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Response {Id} was not stored: its conversation has {Characters} characters")]
    private static partial void LogTooLarge(ILogger logger, string id, int characters);
}

/// <summary>How a Responses request continues its previous response (see <see cref="LlmResponseStore.ContinueAsync"/>).</summary>
/// <param name="Provider">The provider that keeps the previous response, which alone can continue it; null when the gateway kept it.</param>
/// <param name="Error">Why it cannot be continued: the status and message to answer; null when it can.</param>
internal readonly record struct ResponseContinuation(string? Provider, (int Status, string Message)? Error);
