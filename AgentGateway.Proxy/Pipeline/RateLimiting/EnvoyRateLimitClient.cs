using System.Collections.Concurrent;
using AgentGateway.Contracts.Envoy.RateLimit;
using AgentGateway.Proxy.Pipeline.Authentication;
using AgentGateway.Proxy.Upstream;
using Grpc.Core;
using Grpc.Net.Client;
using EnvoyDescriptor = AgentGateway.Contracts.Envoy.RateLimit.RateLimitDescriptor;

namespace AgentGateway.Proxy.Pipeline.RateLimiting;

/// <summary>
/// Asks an Envoy rate-limit service (<c>envoy.service.ratelimit.v3.RateLimitService/ShouldRateLimit</c>) about a
/// request: the route's domain and descriptors, their placeholders filled from the request. A descriptor whose
/// placeholder has no value for the request (no API key, no such claim or header) is left out, as Envoy leaves out
/// a descriptor whose action does not apply.
/// </summary>
internal sealed class EnvoyRateLimitClient(BackendHttpClients clients) : IDisposable
{
    private readonly ConcurrentDictionary<string, GrpcChannel> _channels = new(StringComparer.Ordinal);

    public async Task<EnvoyRateLimitAnswer> ShouldRateLimitAsync(
        HttpContext context, RateLimitPlan plan, EnvoyRateLimitPlan service, GatewayCaller caller, long cost, CancellationToken cancellationToken)
    {
        var request = new RateLimitRequest { Domain = service.Domain, HitsAddend = (uint)Math.Clamp(cost, 1, uint.MaxValue) };
        foreach (var template in service.Descriptors)
        {
            if (Descriptor(template, context, plan, caller) is { } descriptor)
            {
                request.Descriptors.Add(descriptor);
            }
        }

        if (request.Descriptors.Count == 0)
        {
            return EnvoyRateLimitAnswer.NoDescriptors;
        }

        var channel = _channels.GetOrAdd(service.Address, address => GrpcChannel.ForAddress(address, new GrpcChannelOptions
        {
            HttpClient = clients.For(null),
            DisposeHttpClient = false,
        }));
        RateLimitResponse response;
        try
        {
            response = await new RateLimitService.RateLimitServiceClient(channel).ShouldRateLimitAsync(request, cancellationToken: cancellationToken);
        }
        catch (RpcException exception) when (!context.RequestAborted.IsCancellationRequested)
        {
            throw new RateLimiterUnavailableException(
                exception.StatusCode is StatusCode.DeadlineExceeded or StatusCode.Cancelled ? "no answer in time" : exception.Status.Detail, exception);
        }
        catch (HttpRequestException exception)
        {
            throw new RateLimiterUnavailableException(exception.Message, exception);
        }

        return EnvoyRateLimitAnswer.From(response);
    }

    private static EnvoyDescriptor? Descriptor(DescriptorTemplate template, HttpContext context, RateLimitPlan plan, GatewayCaller caller)
    {
        var descriptor = new EnvoyDescriptor();
        foreach (var entry in template.Entries)
        {
            var parts = entry.Value.Parts;
            string value;
            if (parts.Count == 1)
            {
                value = Fill(parts[0], context, plan, caller);
            }
            else
            {
                var builder = new System.Text.StringBuilder();
                foreach (var part in parts)
                {
                    var text = Fill(part, context, plan, caller);
                    if (text.Length == 0 && part.Kind is not null)
                    {
                        return null;
                    }

                    builder.Append(text);
                }

                value = builder.ToString();
            }

            if (value.Length == 0)
            {
                return null;
            }

            descriptor.Entries.Add(new EnvoyDescriptor.Types.Entry { Key = entry.Key, Value = value });
        }

        return descriptor;
    }

    private static string Fill(ValueTemplate.Part part, HttpContext context, RateLimitPlan plan, GatewayCaller caller) =>
        part.Kind is { } kind ? RateLimitKeyResolver.Resolve(kind, part.Name, context, plan, caller) : part.Text;

    public void Dispose()
    {
        foreach (var channel in _channels.Values)
        {
            channel.Dispose();
        }
    }
}

/// <summary>What the rate-limit service said: over limit or not, the tightest status, and headers for the client and upstream.</summary>
internal sealed record EnvoyRateLimitAnswer(
    bool OverLimit,
    BucketState? Tightest,
    IReadOnlyList<KeyValuePair<string, string>> ResponseHeaders,
    IReadOnlyList<KeyValuePair<string, string>> RequestHeaders)
{
    public static EnvoyRateLimitAnswer NoDescriptors { get; } = new(false, null, [], []);

    public static EnvoyRateLimitAnswer From(RateLimitResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        var overLimit = response.OverallCode == RateLimitResponse.Types.Code.OverLimit;
        BucketState? tightest = null;
        foreach (var status in response.Statuses)
        {
            if (status.CurrentLimit is not { } limit)
            {
                continue;
            }

            var over = status.Code == RateLimitResponse.Types.Code.OverLimit;
            var resetMs = status.DurationUntilReset is { } reset ? (long)reset.ToTimeSpan().TotalMilliseconds : UnitMs(limit.Unit);
            var state = new BucketState(limit.Name, !over, limit.RequestsPerUnit, status.LimitRemaining, resetMs, over ? resetMs : 0);
            // Over-limit statuses come first; among equals the one that resets last decides Retry-After.
            if (tightest is not { } current
                || (over && current.Allowed)
                || (over == !current.Allowed && (over ? state.RetryAfterMs > current.RetryAfterMs : state.IsTighterThan(current))))
            {
                tightest = state;
            }
        }

        return new EnvoyRateLimitAnswer(overLimit, tightest, Headers(response.ResponseHeadersToAdd), Headers(response.RequestHeadersToAdd));
    }

    private static long UnitMs(RateLimitResponse.Types.RateLimit.Types.Unit unit) => unit switch
    {
        RateLimitResponse.Types.RateLimit.Types.Unit.Second => 1000,
        RateLimitResponse.Types.RateLimit.Types.Unit.Minute => 60_000,
        RateLimitResponse.Types.RateLimit.Types.Unit.Hour => 3_600_000,
        RateLimitResponse.Types.RateLimit.Types.Unit.Day => 86_400_000,
        RateLimitResponse.Types.RateLimit.Types.Unit.Week => 604_800_000,
        RateLimitResponse.Types.RateLimit.Types.Unit.Month => 2_592_000_000,
        RateLimitResponse.Types.RateLimit.Types.Unit.Year => 31_536_000_000,
        _ => 1000,
    };

    private static List<KeyValuePair<string, string>> Headers(IEnumerable<HeaderValue> headers) =>
        [.. headers.Where(header => header.Key.Length > 0)
            .Select(header => new KeyValuePair<string, string>(header.Key, header.Value.Length > 0 ? header.Value : header.RawValue.ToStringUtf8()))];
}
