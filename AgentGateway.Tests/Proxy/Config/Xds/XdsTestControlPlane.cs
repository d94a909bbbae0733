using System.Threading.Channels;
using AgentGateway.Contracts.Envoy.Discovery;
using AgentGateway.Tests.Fixtures;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;

namespace AgentGateway.Tests.Proxy.Config.Xds;

/// <summary>
/// A scripted xDS server on loopback: the test decides every response (including invalid ones) and sees every
/// request the proxy sends. A stand-in for the control plane where the test needs to misbehave on purpose.
/// </summary>
public sealed class XdsTestControlPlane : AggregatedDiscoveryService.AggregatedDiscoveryServiceBase, IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Channel<DeltaDiscoveryResponse> _responses = Channel.CreateUnbounded<DeltaDiscoveryResponse>();

    private XdsTestControlPlane(int port)
    {
        Address = new Uri($"http://127.0.0.1:{port}");
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ListenLocalhost(port, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(this);
        _app = builder.Build();
        _app.MapGrpcService<XdsTestControlPlane>();
    }

    public Uri Address { get; }

    /// <summary>Every request the proxy sent, in order.</summary>
    public Channel<DeltaDiscoveryRequest> Requests { get; } = Channel.CreateUnbounded<DeltaDiscoveryRequest>();

    public int Port => Address.Port;

    /// <summary>Starts a control plane on <paramref name="port"/> (a free one when null).</summary>
    public static async Task<XdsTestControlPlane> StartAsync(int? port = null)
    {
        var server = new XdsTestControlPlane(port ?? ServiceProcess.GetFreePort());
        await server._app.StartAsync();
        return server;
    }

    public ValueTask SendAsync(DeltaDiscoveryResponse response) => _responses.Writer.WriteAsync(response);

    public override async Task DeltaAggregatedResources(
        IAsyncStreamReader<DeltaDiscoveryRequest> requestStream, IServerStreamWriter<DeltaDiscoveryResponse> responseStream, ServerCallContext context)
    {
        // Requests are read in the background; the stream ends when the responses end (the server stops).
        _ = Task.Run(async () =>
        {
            while (await requestStream.MoveNext(context.CancellationToken))
            {
                await Requests.Writer.WriteAsync(requestStream.Current);
            }
        });

        await foreach (var response in _responses.Reader.ReadAllAsync(context.CancellationToken))
        {
            await responseStream.WriteAsync(response);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _responses.Writer.TryComplete();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
