using System.Net;
using System.Text.Json;
using AgentGateway.Contracts.Egress;
using AgentGateway.Identity.Configuration;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace AgentGateway.Identity.Clients;

/// <summary>
/// Client ID metadata documents (the OAuth draft MCP's 2025-11-25 authorization adopts): a client whose id is the
/// HTTPS URL of a JSON document naming itself (<c>client_id</c> equal to that URL, <c>redirect_uris</c>,
/// <c>client_name</c>) is registered from that document the first time it asks for authorization, as a public client
/// with PKCE, like a client that registered itself. The document is fetched once, without redirects, at most 64 KiB
/// within 5 seconds; a document that does not name the URL, or whose redirect URIs would not register, is refused.
/// </summary>
internal sealed partial class ClientMetadataDocuments(
    IHttpClientFactory clients, IOptions<IdentityServerOptions> options, ILogger<ClientMetadataDocuments> logger)
{
    public const string HttpClientName = "client-metadata-documents";

    private const int MaxDocumentBytes = 64 * 1024;

    /// <summary>Whether <paramref name="clientId"/> is a document URL this issuer accepts.</summary>
    public static bool IsDocumentUrl(string? clientId, IdentityServerOptions settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings.ClientMetadataDocuments && settings.MaxDynamicClients > 0
            && Uri.TryCreate(clientId, UriKind.Absolute, out var uri) && uri.AbsolutePath.Length > 1 && uri.Fragment.Length == 0 && uri.UserInfo.Length == 0
            && (uri.Scheme == Uri.UriSchemeHttps || (settings.ClientMetadataDocumentsOnLoopbackHttp && uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback));
    }

    /// <summary>Registers the client of <paramref name="clientId"/> from its document unless it is; null when it may go on, else why not.</summary>
    public async Task<string?> EnsureRegisteredAsync(IOpenIddictApplicationManager applications, string clientId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(applications);
        if (await applications.FindByClientIdAsync(clientId, cancellationToken) is not null)
        {
            return null;
        }

        var (document, problem) = await FetchAsync(new Uri(clientId), cancellationToken);
        if (document is not { } metadata)
        {
            return problem;
        }

        if (!metadata.TryGetProperty("client_id", out var named) || named.ValueKind != JsonValueKind.String || named.GetString() != clientId)
        {
            return "the client's metadata document does not name it (client_id must be the document's URL)";
        }

        var redirects = metadata.TryGetProperty("redirect_uris", out var list) && list.ValueKind == JsonValueKind.Array
            ? list.EnumerateArray().Select(uri => uri.ValueKind == JsonValueKind.String ? uri.GetString() : null).ToList()
            : [];
        if (redirects.Count is 0 or > 10 || redirects.Any(uri => uri is null || DynamicClientRegistration.RedirectProblem(uri) is not null))
        {
            return "the client's metadata document lists no redirect_uris the issuer accepts (1 to 10: HTTPS, loopback HTTP or an app's own scheme)";
        }

        if (metadata.TryGetProperty("token_endpoint_auth_method", out var method) && method.GetString() is { } value && value != ClientAuthenticationMethods.None)
        {
            return "a client identified by its metadata document is a public client (token_endpoint_auth_method none)";
        }

        if (!DynamicClientRegistration.TryCount(options.Value.MaxDynamicClients))
        {
            return $"this issuer registers at most {options.Value.MaxDynamicClients} clients";
        }

        var name = metadata.TryGetProperty("client_name", out var title) && title.ValueKind == JsonValueKind.String && title.GetString() is { Length: > 0 and <= 200 } text
            ? text : clientId;
        var descriptor = new OpenIddictApplicationDescriptor
        {
            ClientId = clientId,
            ClientType = ClientTypes.Public,
            ConsentType = ConsentTypes.Implicit,
            DisplayName = name,
        };
        DynamicClientRegistration.Permit(descriptor, [GrantTypes.AuthorizationCode, GrantTypes.RefreshToken], options.Value, redirects!);
        await applications.CreateAsync(descriptor, cancellationToken);
        LogRegistered(logger, clientId, name);
        return null;
    }

    private async Task<(JsonElement? Document, string? Problem)> FetchAsync(Uri url, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(5));
        try
        {
            using var response = await clients.CreateClient(HttpClientName).GetAsync(url, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return (null, $"the client's metadata document answered {(int)response.StatusCode}");
            }

            await using var body = await response.Content.ReadAsStreamAsync(timeout.Token);
            var buffer = new byte[MaxDocumentBytes + 1];
            var read = 0;
            while (read < buffer.Length && await body.ReadAsync(buffer.AsMemory(read), timeout.Token) is > 0 and var count)
            {
                read += count;
            }

            if (read > MaxDocumentBytes)
            {
                return (null, $"the client's metadata document is larger than {MaxDocumentBytes / 1024} KiB");
            }

            using var document = JsonDocument.Parse(buffer.AsMemory(0, read));
            return document.RootElement.ValueKind == JsonValueKind.Object
                ? (document.RootElement.Clone(), null)
                : (null, "the client's metadata document is not a JSON object");
        }
        catch (Exception exception) when (exception is HttpRequestException or JsonException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return (null, $"the client's metadata document could not be read: {exception.GetBaseException().Message}");
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Registered client {ClientId} ({Name}) from its metadata document")]
    private static partial void LogRegistered(ILogger logger, string clientId, string name);
}

/// <summary>
/// Where the issuer may fetch a client's metadata document: public addresses only (a client id is anyone's to choose,
/// so it must not make the issuer reach into the network it runs in; the restricted ranges are the egress policy's),
/// loopback too when documents on loopback HTTP are allowed (development).
/// </summary>
internal static class DocumentAddresses
{
    public static async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, bool allowLoopback, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var addresses = await Dns.GetHostAddressesAsync(context.DnsEndPoint.Host, cancellationToken);
        var allowed = addresses.FirstOrDefault(address => NetworkRanges.RestrictedRange(address) is null || (allowLoopback && IPAddress.IsLoopback(address)))
            ?? throw new HttpRequestException(
                $"{context.DnsEndPoint.Host} is not a public address ({string.Join(", ", addresses.Select(address => NetworkRanges.RestrictedRange(address)).Distinct())})");
        var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(new IPEndPoint(allowed, context.DnsEndPoint.Port), cancellationToken);
            return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
