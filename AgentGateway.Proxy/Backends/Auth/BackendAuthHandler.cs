namespace AgentGateway.Proxy.Backends.Auth;

/// <summary>Authenticates each request to a backend as its <see cref="BackendRequestContext"/> says, then sends it.</summary>
internal sealed class BackendAuthHandler(BackendCredentials credentials) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Options.TryGetValue(BackendRequestContext.Key, out var context))
        {
            foreach (var (name, value) in context.Caller?.UpstreamHeaders ?? [])
            {
                request.Headers.Remove(name);
                request.Headers.TryAddWithoutValidation(name, value);
            }

            if (context.Auth is { } auth)
            {
                await credentials.ApplyAsync(request, auth, context.Caller, cancellationToken);
            }
        }

        return await base.SendAsync(request, cancellationToken);
    }
}
