using System.Net.Http.Headers;
using System.Text.Json;

namespace AgentGateway.AdminApi.Domain.Agents;

/// <summary>
/// Reads an A2A agent's card: from its card URL, or from the base URL's well-known paths
/// (<c>/.well-known/agent-card.json</c>, then the older <c>/.well-known/agent.json</c>). Connections go through the
/// egress connector (the connect-time SSRF check), each attempt within <see cref="Timeout"/>, and a card larger
/// than <see cref="MaxCardBytes"/> is refused.
/// </summary>
internal sealed partial class AgentCardFetcher(IHttpClientFactory httpClientFactory, ILogger<AgentCardFetcher> logger)
{
    public const string HttpClientName = "a2a-cards";

    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public const int MaxCardBytes = 1024 * 1024;

    /// <summary>The card, or why it could not be read (each URL tried, and what it answered).</summary>
    public async Task<(AgentCardResponse? Card, string? Error)> FetchAsync(string url, string? cardUrl, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(url);
        var candidates = string.IsNullOrEmpty(cardUrl)
            ? new[] { url.TrimEnd('/') + "/.well-known/agent-card.json", url.TrimEnd('/') + "/.well-known/agent.json" }
            : [cardUrl];
        var errors = new List<string>();
        using var http = httpClientFactory.CreateClient(HttpClientName);
        foreach (var candidate in candidates)
        {
            var (card, error, notFound) = await FetchOneAsync(http, candidate, cancellationToken);
            if (card is not null)
            {
                return (card, null);
            }

            errors.Add(error!);
            if (!notFound)
            {
                break;
            }
        }

        return (null, string.Join("; then ", errors));
    }

    private async Task<(AgentCardResponse? Card, string? Error, bool NotFound)> FetchOneAsync(HttpClient http, string url, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            if (!response.IsSuccessStatusCode)
            {
                return (null, $"GET {url} answered {(int)response.StatusCode} {response.ReasonPhrase}", response.StatusCode == System.Net.HttpStatusCode.NotFound);
            }

            if (response.Content.Headers.ContentLength > MaxCardBytes)
            {
                return (null, $"the card at {url} is larger than {MaxCardBytes} bytes", false);
            }

            await using var body = await response.Content.ReadAsStreamAsync(timeout.Token);
            using var limited = new MemoryStream();
            var buffer = new byte[16 * 1024];
            int read;
            while ((read = await body.ReadAsync(buffer, timeout.Token)) > 0)
            {
                if (limited.Length + read > MaxCardBytes)
                {
                    return (null, $"the card at {url} is larger than {MaxCardBytes} bytes", false);
                }

                limited.Write(buffer, 0, read);
            }

            limited.Position = 0;
            using var document = await JsonDocument.ParseAsync(limited, default, timeout.Token);
            return AgentCards.Read(document.RootElement) is { } card
                ? (card, null, false)
                : (null, $"the document at {url} is not an A2A agent card (it needs at least a \"name\")", false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (null, $"GET {url} did not answer within {Timeout.TotalSeconds:0} s", false);
        }
        catch (HttpRequestException exception)
        {
            LogFetchFailed(logger, url, exception.Message);
            return (null, $"GET {url} failed: {exception.Message}", false);
        }
        catch (JsonException exception)
        {
            return (null, $"the card at {url} is not valid JSON: {exception.Message}", false);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Agent card {Url} could not be fetched: {Reason}")]
    private static partial void LogFetchFailed(ILogger logger, string url, string reason);
}
