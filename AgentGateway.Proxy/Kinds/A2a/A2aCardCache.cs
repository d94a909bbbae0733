using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgentGateway.Contracts.V1;
using AgentGateway.Proxy.Protocols;
using AgentGateway.Proxy.Telemetry;
using AgentGateway.Proxy.Upstream;

namespace AgentGateway.Proxy.Kinds.A2a;

/// <summary>
/// The agents' own cards, fetched from the agent (<c>card_url</c>, else <c>{url}/.well-known/agent-card.json</c>,
/// falling back to <c>agent.json</c>) and kept for <see cref="Freshness"/>. A card older than that is still served
/// while a fresh one is fetched in the background, and the last good card is served for as long as the agent cannot
/// be reached; only a route whose card was never fetched waits for the agent (and fails when it cannot answer).
/// </summary>
internal sealed partial class A2aCardCache(BackendHttpClients clients, TimeProvider time, ILogger<A2aCardCache> logger)
{
    public static readonly TimeSpan Freshness = TimeSpan.FromSeconds(30);

    private const int MaxCardBytes = 1024 * 1024;
    private static readonly TimeSpan s_fetchTimeout = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>The agent's card (shared: copy it before changing it), or why there is none.</summary>
    public async Task<(JsonObject? Card, string? Error)> GetAsync(Route route, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(route);
        var backend = route.A2A;
        var key = $"{route.Tenant}/{route.Name}\n{backend.Url}\n{backend.CardUrl}";
        var entry = _entries.GetOrAdd(key, static _ => new Entry());
        if (entry.Card is { } card)
        {
            if (time.GetUtcNow() - entry.FetchedAt > Freshness)
            {
                _ = entry.RefreshAsync(token => FetchAsync(route, token), logger, time);
            }

            return (card, null);
        }

        var error = await entry.RefreshAsync(token => FetchAsync(route, token), logger, time).WaitAsync(cancellationToken);
        return entry.Card is { } fetched ? (fetched, null) : (null, error ?? "the agent's card could not be read");
    }

    private async Task<JsonObject> FetchAsync(Route route, CancellationToken cancellationToken)
    {
        var backend = route.A2A;
        if (backend.CardUrl.Length > 0)
        {
            return await FetchAsync(backend, new Uri(backend.CardUrl), fallback: false, cancellationToken)
                ?? throw new InvalidOperationException($"{backend.CardUrl} answered 404");
        }

        var baseUrl = backend.Url.TrimEnd('/');
        return await FetchAsync(backend, new Uri(baseUrl + "/.well-known/agent-card.json"), fallback: true, cancellationToken)
            ?? await FetchAsync(backend, new Uri(baseUrl + "/.well-known/agent.json"), fallback: false, cancellationToken)
            ?? throw new InvalidOperationException($"neither {baseUrl}/.well-known/agent-card.json nor agent.json exists");
    }

    /// <summary>The card at <paramref name="url"/>; null for a 404 when there is a fallback.</summary>
    private async Task<JsonObject?> FetchAsync(A2aBackend backend, Uri url, bool fallback, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Accept.ParseAdd("application/json");
        foreach (var (name, value) in backend.Headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        new BackendRequestContext(backend.Auth, null, backend.Tls).Apply(request);
        using var response = await clients.For(backend.Tls).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound && fallback)
        {
            return null;
        }

        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{url} answered {(int)response.StatusCode}");
        }

        if (response.Content.Headers.ContentLength > MaxCardBytes)
        {
            throw new InvalidOperationException($"{url} is larger than {MaxCardBytes} bytes");
        }

        byte[] card;
        try
        {
            card = await BoundedBody.ReadBytesAsync(response.Content, MaxCardBytes, url.ToString(), LimitMetrics.FetchedDocument, cancellationToken);
        }
        catch (MessageTooLargeException)
        {
            throw new InvalidOperationException($"{url} is larger than {MaxCardBytes} bytes");
        }

        try
        {
            return JsonNode.Parse(card) as JsonObject
                ?? throw new InvalidOperationException($"{url} is not a JSON object");
        }
        catch (JsonException exception)
        {
            throw new InvalidOperationException($"{url} is not JSON: {exception.Message}", exception);
        }
    }

    /// <summary>One route's card, and the one fetch of it under way.</summary>
    private sealed class Entry
    {
        private readonly Lock _lock = new();
        private Task<string?>? _refresh;

        public JsonObject? Card { get; private set; }

        public DateTimeOffset FetchedAt { get; private set; }

        /// <summary>Fetches the card unless a fetch is under way (then joins it); the task yields the error, or null.</summary>
        public Task<string?> RefreshAsync(Func<CancellationToken, Task<JsonObject>> fetch, ILogger logger, TimeProvider time)
        {
            lock (_lock)
            {
                return _refresh ??= RunAsync(fetch, logger, time);
            }
        }

        private async Task<string?> RunAsync(Func<CancellationToken, Task<JsonObject>> fetch, ILogger logger, TimeProvider time)
        {
            await Task.Yield();
            try
            {
                using var timeout = new CancellationTokenSource(s_fetchTimeout, time);
                var card = await fetch(timeout.Token);
                Card = card;
                FetchedAt = time.GetUtcNow();
                return null;
            }
            catch (Exception exception) when (exception is HttpRequestException or InvalidOperationException or OperationCanceledException or UriFormatException)
            {
                var reason = exception is OperationCanceledException ? "the agent did not answer in time" : exception.Message;
                LogCardFailed(logger, reason, Card is not null);
                if (Card is not null)
                {
                    // Serve the last good card, and try again after another while rather than on every request.
                    FetchedAt = time.GetUtcNow();
                }

                return reason;
            }
            finally
            {
                lock (_lock)
                {
                    _refresh = null;
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The agent card could not be fetched ({Reason}); serving the last good one: {HaveCard}")]
    private static partial void LogCardFailed(ILogger logger, string reason, bool haveCard);
}
