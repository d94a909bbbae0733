using System.Collections.Concurrent;
using System.Net;
using AgentGateway.Contracts.Envoy.RateLimit;
using AgentGateway.Tests.Fixtures;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AgentGateway.Tests.Proxy.Pipeline.RateLimiting;

/// <summary>
/// What the rate-limit tests put behind the proxy, in the test process: a plain HTTP upstream that answers every
/// request with 200 "ok", and an Envoy rate-limit service (gRPC) that really counts: each descriptor may be hit
/// <see cref="RlsLimit"/> times, then it is over limit for <see cref="RlsResetSeconds"/> seconds.
/// </summary>
public sealed class RateLimitUpstreams : IAsyncDisposable
{
    public const uint RlsLimit = 2;
    public const int RlsResetSeconds = 30;

    private readonly WebApplication _app;

    private RateLimitUpstreams(int httpPort, int grpcPort)
    {
        HttpAddress = new Uri($"http://127.0.0.1:{httpPort}");
        RlsAddress = new Uri($"http://127.0.0.1:{grpcPort}");
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, httpPort);
            kestrel.Listen(IPAddress.Loopback, grpcPort, listen => listen.Protocols = HttpProtocols.Http2);
        });
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(Rls);
        _app = builder.Build();
        _app.MapGrpcService<CountingRateLimitService>();
        _app.MapFallback((HttpContext context) => Results.Text("ok " + context.Request.Path));
    }

    public Uri HttpAddress { get; }

    public Uri RlsAddress { get; }

    /// <summary>The rate-limit service's counters and the requests it saw.</summary>
    public RlsState Rls { get; } = new();

    public static async Task<RateLimitUpstreams> StartAsync()
    {
        var upstreams = new RateLimitUpstreams(ServiceProcess.GetFreePort(), ServiceProcess.GetFreePort());
        await upstreams._app.StartAsync();
        return upstreams;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    public sealed class RlsState
    {
        public ConcurrentDictionary<string, int> Hits { get; } = new(StringComparer.Ordinal);

        public ConcurrentQueue<RateLimitRequest> Requests { get; } = new();
    }

    private sealed class CountingRateLimitService(RlsState state) : RateLimitService.RateLimitServiceBase
    {
        public override Task<RateLimitResponse> ShouldRateLimit(RateLimitRequest request, ServerCallContext context)
        {
            state.Requests.Enqueue(request);
            var response = new RateLimitResponse { OverallCode = RateLimitResponse.Types.Code.Ok };
            foreach (var descriptor in request.Descriptors)
            {
                var key = request.Domain + "|" + string.Join(",", descriptor.Entries.Select(entry => entry.Key + "=" + entry.Value));
                var hits = state.Hits.AddOrUpdate(key, (int)Math.Max(1, request.HitsAddend), (_, count) => count + (int)Math.Max(1, request.HitsAddend));
                var over = hits > RlsLimit;
                if (over)
                {
                    response.OverallCode = RateLimitResponse.Types.Code.OverLimit;
                }

                response.Statuses.Add(new RateLimitResponse.Types.DescriptorStatus
                {
                    Code = over ? RateLimitResponse.Types.Code.OverLimit : RateLimitResponse.Types.Code.Ok,
                    CurrentLimit = new RateLimitResponse.Types.RateLimit
                    {
                        Name = key,
                        RequestsPerUnit = RlsLimit,
                        Unit = RateLimitResponse.Types.RateLimit.Types.Unit.Minute,
                    },
                    LimitRemaining = (uint)Math.Max(0, RlsLimit - hits),
                    DurationUntilReset = Duration.FromTimeSpan(TimeSpan.FromSeconds(RlsResetSeconds)),
                });
            }

            response.ResponseHeadersToAdd.Add(new HeaderValue { Key = "x-test-rls", Value = "counted" });
            return Task.FromResult(response);
        }
    }
}
