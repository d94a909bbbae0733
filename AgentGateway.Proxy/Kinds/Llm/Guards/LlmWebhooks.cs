using System.Text.Json.Nodes;
using AgentGateway.Contracts.V1;
using AgentGateway.Proxy.Kinds.Llm.Providers;
using AgentGateway.Proxy.Pipeline.Guards;
using AgentGateway.Proxy.Upstream;

namespace AgentGateway.Proxy.Kinds.Llm.Guards;

/// <summary>What a moderation webhook decided: let the texts through (perhaps changed), or refuse them.</summary>
/// <param name="Texts">The texts to use: the ones sent, or the webhook's replacements.</param>
/// <param name="Rejection">Why the request is refused; null when it goes on.</param>
/// <param name="Status">The status of a refusal: 400 for a webhook's "reject", 503 when a webhook could not decide.</param>
internal sealed record WebhookVerdict(IReadOnlyList<string> Texts, GuardRejection? Rejection, int Status = StatusCodes.Status400BadRequest);

/// <summary>
/// Asks an LLM route's moderation webhooks about a prompt or an answer, in turn: each POSTs
/// <c>{"guard", "route", "phase", "model", "texts"}</c> and takes <c>{"action": "allow" | "reject" | "mask", "message"?,
/// "texts"?}</c>. A webhook that cannot be reached, is too slow or answers something else refuses the request
/// (503), unless it fails open.
/// </summary>
internal sealed partial class LlmWebhooks(BackendHttpClients clients, ILogger<LlmWebhooks> logger)
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(5);

    public async Task<WebhookVerdict> CheckAsync(
        IEnumerable<LlmWebhookGuard> webhooks, string route, string phase, string model, IReadOnlyList<string> texts,
        ICollection<(string Guard, bool Rejected)> hits, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(webhooks);
        ArgumentNullException.ThrowIfNull(hits);
        var current = texts;
        foreach (var webhook in webhooks)
        {
            var (decision, failure) = await AskAsync(webhook, route, phase, model, current, cancellationToken);
            if (decision is null)
            {
                LogWebhookFailed(logger, route, webhook.Name, failure!);
                if (webhook.FailOpen)
                {
                    continue;
                }

                hits.Add((webhook.Name, true));
                return new WebhookVerdict(current, new GuardRejection(webhook.Name, $"Guard '{webhook.Name}' could not check the {phase}: {failure}."), StatusCodes.Status503ServiceUnavailable);
            }

            switch ((string?)decision["action"])
            {
                case "allow":
                    break;
                case "reject":
                    hits.Add((webhook.Name, true));
                    return new WebhookVerdict(current, new GuardRejection(webhook.Name, (string?)decision["message"] is { Length: > 0 } message
                        ? message
                        : $"Guard '{webhook.Name}' rejected the {phase}."));
                case "mask" when decision["texts"] is JsonArray replaced && replaced.Count == current.Count && replaced.All(item => item is JsonValue value && value.TryGetValue<string>(out _)):
                    hits.Add((webhook.Name, false));
                    current = [.. replaced.Select(item => item!.GetValue<string>())];
                    break;
                default:
                    var wrong = $"its answer is not {{\"action\": \"allow\" | \"reject\" | \"mask\"}} (mask with as many texts as sent)";
                    LogWebhookFailed(logger, route, webhook.Name, wrong);
                    if (!webhook.FailOpen)
                    {
                        hits.Add((webhook.Name, true));
                        return new WebhookVerdict(current, new GuardRejection(webhook.Name, $"Guard '{webhook.Name}' could not check the {phase}: {wrong}."), StatusCodes.Status503ServiceUnavailable);
                    }

                    break;
            }
        }

        return new WebhookVerdict(current, null);
    }

    private async Task<(JsonObject? Decision, string? Failure)> AskAsync(
        LlmWebhookGuard webhook, string route, string phase, string model, IReadOnlyList<string> texts, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(webhook.TimeoutMs > 0 ? TimeSpan.FromMilliseconds(webhook.TimeoutMs) : DefaultTimeout);
        var body = new JsonObject
        {
            ["guard"] = webhook.Name,
            ["route"] = route,
            ["phase"] = phase,
            ["model"] = model,
            ["texts"] = new JsonArray([.. texts.Select(text => (JsonNode?)text)]),
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, webhook.Url) { Content = JsonContent.Create(body) };
        new BackendRequestContext(webhook.Auth, null).Apply(request);
        try
        {
            using var response = await clients.For(null).SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token);
            if (!response.IsSuccessStatusCode)
            {
                return (null, $"it answered {(int)response.StatusCode}");
            }

            return ProviderAdapter.ParseObject(await response.Content.ReadAsStringAsync(timeout.Token)) is { } decision
                ? (decision, null)
                : (null, "its answer is not a JSON object");
        }
        catch (Exception exception) when (exception is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return (null, exception is OperationCanceledException ? "it did not answer in time" : "it could not be reached");
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "LLM route {Route}: guard webhook {Guard} failed: {Reason}")]
    private static partial void LogWebhookFailed(ILogger logger, string route, string guard, string reason);
}
