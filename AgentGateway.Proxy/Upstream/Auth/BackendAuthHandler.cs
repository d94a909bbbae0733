namespace AgentGateway.Proxy.Upstream.Auth;

/// <summary>Authenticates each request to a backend as its <see cref="BackendRequestContext"/> says, then sends it.</summary>
internal sealed class BackendAuthHandler(BackendCredentials credentials) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (!request.Options.TryGetValue(BackendRequestContext.Key, out var context))
        {
            return base.SendAsync(request, cancellationToken);
        }

        if (context.Caller?.UpstreamHeaders is { Count: > 0 } headers)
        {
            // Replaced, not merged: a name listed twice (an added header) is sent with both values.
            foreach (var (name, _) in headers)
            {
                request.Headers.Remove(name);
            }

            foreach (var (name, value) in headers)
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }
        }

        return context.Auth is { } auth ? AuthenticateAndSendAsync(request, auth, context.Caller, cancellationToken) : base.SendAsync(request, cancellationToken);
    }

    private async Task<HttpResponseMessage> AuthenticateAndSendAsync(
        HttpRequestMessage request, Contracts.V1.BackendAuth auth, ICallerCredentials? caller, CancellationToken cancellationToken)
    {
        await credentials.ApplyAsync(request, auth, caller, cancellationToken);
        return await base.SendAsync(request, cancellationToken);
    }
}
