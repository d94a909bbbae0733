using System.Security.Cryptography;
using System.Text.Json.Serialization;
using AgentGateway.Identity.Configuration;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace AgentGateway.Identity.Clients;

/// <summary>A client's registration request (RFC 7591 client metadata; what this issuer reads of it).</summary>
internal sealed record ClientMetadata(
    [property: JsonPropertyName("redirect_uris")] List<string>? RedirectUris,
    [property: JsonPropertyName("client_name")] string? ClientName,
    [property: JsonPropertyName("grant_types")] List<string>? GrantTypes,
    [property: JsonPropertyName("response_types")] List<string>? ResponseTypes,
    [property: JsonPropertyName("token_endpoint_auth_method")] string? TokenEndpointAuthMethod,
    [property: JsonPropertyName("scope")] string? Scope);

/// <summary>
/// OAuth dynamic client registration (RFC 7591), so that MCP clients (Claude, VS Code, Cursor...) connect to a
/// route behind MCP authentication with a browser sign-in and no secret pasted anywhere: a client registers its
/// redirect URIs and gets a client id. Public clients (<c>none</c>) use the authorization code flow with PKCE;
/// <c>client_secret_basic</c> and <c>client_secret_post</c> get a secret. Redirect URIs must be HTTPS, loopback HTTP
/// (any port, RFC 8252) or a private-use scheme of the client's own; the client may ask for the realm's registered
/// resources (RFC 8707). At most <see cref="IdentityServerOptions.MaxDynamicClients"/> register.
/// </summary>
internal static partial class DynamicClientRegistration
{
    private static readonly string[] s_scopes = ["profile", "email", "roles", Scopes.OfflineAccess];
    private static readonly HashSet<string> s_forbiddenSchemes = new(StringComparer.OrdinalIgnoreCase) { "javascript", "data", "file", "vbscript", "blob", "about" };
    private static int s_registered;

    /// <summary>Counts a client in against <paramref name="max"/>; false when there is no room.</summary>
    internal static bool TryCount(int max)
    {
        if (Interlocked.Increment(ref s_registered) <= max)
        {
            return true;
        }

        Interlocked.Decrement(ref s_registered);
        return false;
    }

    public static IEndpointRouteBuilder MapClientRegistration(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost(Realm.RegistrationPath, RegisterAsync).ExcludeFromDescription().DisableAntiforgery();
        return endpoints;
    }

    private static async Task<IResult> RegisterAsync(
        HttpContext context, IOpenIddictApplicationManager applications, IOptions<IdentityServerOptions> options, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (settings.MaxDynamicClients <= 0)
        {
            return Error(StatusCodes.Status403Forbidden, "access_denied", "Dynamic client registration is off on this issuer.");
        }

        ClientMetadata? metadata;
        try
        {
            metadata = await context.Request.ReadFromJsonAsync<ClientMetadata>(cancellationToken);
        }
        catch (Exception exception) when (exception is System.Text.Json.JsonException or InvalidOperationException or BadHttpRequestException)
        {
            return Error(StatusCodes.Status400BadRequest, "invalid_client_metadata", "The body must be a JSON object of client metadata.");
        }

        if (metadata is null)
        {
            return Error(StatusCodes.Status400BadRequest, "invalid_client_metadata", "The body must be a JSON object of client metadata.");
        }

        if (Validate(metadata) is { } problem)
        {
            return Error(StatusCodes.Status400BadRequest, problem.Error, problem.Description);
        }

        if (!TryCount(settings.MaxDynamicClients))
        {
            return Error(StatusCodes.Status400BadRequest, "invalid_client_metadata", $"This issuer registers at most {settings.MaxDynamicClients} clients; ask its operator.");
        }

        var grants = metadata.GrantTypes is { Count: > 0 } asked ? asked.Distinct(StringComparer.Ordinal).ToList() : [GrantTypes.AuthorizationCode];
        var method = metadata.TokenEndpointAuthMethod ?? ClientAuthenticationMethods.None;
        var confidential = method != ClientAuthenticationMethods.None;
        var clientId = "mcp-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        var secret = confidential ? Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) : null;
        var descriptor = new OpenIddictApplicationDescriptor
        {
            ClientId = clientId,
            ClientSecret = secret,
            ClientType = confidential ? ClientTypes.Confidential : ClientTypes.Public,
            ConsentType = ConsentTypes.Implicit,
            DisplayName = metadata.ClientName is { Length: > 0 } name ? name : clientId,
        };
        Permit(descriptor, grants, settings, metadata.RedirectUris!);

        await applications.CreateAsync(descriptor, cancellationToken);
        LogRegistered(loggers.CreateLogger(typeof(DynamicClientRegistration)), clientId, descriptor.DisplayName, string.Join(' ', metadata.RedirectUris!));
        var answer = new Dictionary<string, object?>
        {
            ["client_id"] = clientId,
            ["client_id_issued_at"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            ["client_name"] = descriptor.DisplayName,
            ["redirect_uris"] = metadata.RedirectUris,
            ["grant_types"] = grants,
            ["response_types"] = new[] { ResponseTypes.Code },
            ["token_endpoint_auth_method"] = method,
        };
        if (secret is not null)
        {
            answer["client_secret"] = secret;
            answer["client_secret_expires_at"] = 0;
        }

        return Results.Json(answer, statusCode: StatusCodes.Status201Created);
    }

    /// <summary>What a client registered by itself may do: the code flow with PKCE to its redirect URIs, for the realm's resources.</summary>
    internal static void Permit(OpenIddictApplicationDescriptor descriptor, IEnumerable<string> grants, IdentityServerOptions settings, IEnumerable<string> redirectUris)
    {
        descriptor.Permissions.Add(Permissions.Endpoints.Authorization);
        descriptor.Permissions.Add(Permissions.Endpoints.Token);
        descriptor.Permissions.Add(Permissions.ResponseTypes.Code);
        foreach (var grant in grants)
        {
            descriptor.Permissions.Add(Permissions.Prefixes.GrantType + grant);
        }

        foreach (var scope in s_scopes)
        {
            descriptor.Permissions.Add(Permissions.Prefixes.Scope + scope);
        }

        descriptor.AddResourcePermissions([.. settings.Resources.Select(resource => new Uri(resource).AbsoluteUri)]);
        descriptor.Requirements.Add(Requirements.Features.ProofKeyForCodeExchange);
        foreach (var uri in redirectUris)
        {
            descriptor.RedirectUris.Add(new Uri(uri, UriKind.Absolute));
        }
    }

    /// <summary>What is wrong with the metadata, as RFC 7591 names it; null when nothing.</summary>
    private static (string Error, string Description)? Validate(ClientMetadata metadata)
    {
        if (metadata.RedirectUris is not { Count: > 0 and <= 10 } redirects)
        {
            return ("invalid_redirect_uri", "redirect_uris must list 1 to 10 URIs.");
        }

        foreach (var redirect in redirects)
        {
            if (RedirectProblem(redirect) is { } problem)
            {
                return ("invalid_redirect_uri", $"'{Clip(redirect)}' {problem}.");
            }
        }

        if (metadata.GrantTypes?.FirstOrDefault(grant => grant is not (GrantTypes.AuthorizationCode or GrantTypes.RefreshToken)) is { } grant)
        {
            return ("invalid_client_metadata", $"grant_types may be authorization_code and refresh_token, not '{Clip(grant)}'.");
        }

        if (metadata.ResponseTypes?.FirstOrDefault(type => type != ResponseTypes.Code) is { } response)
        {
            return ("invalid_client_metadata", $"response_types may be code, not '{Clip(response)}'.");
        }

        if (metadata.TokenEndpointAuthMethod is { } method
            && method is not (ClientAuthenticationMethods.None or ClientAuthenticationMethods.ClientSecretBasic or ClientAuthenticationMethods.ClientSecretPost))
        {
            return ("invalid_client_metadata", $"token_endpoint_auth_method may be none, client_secret_basic or client_secret_post, not '{Clip(method)}'.");
        }

        return metadata.ClientName is { Length: > 200 } || metadata.ClientName?.Any(char.IsControl) == true
            ? ("invalid_client_metadata", "client_name must be at most 200 characters, none a control character.")
            : null;
    }

    /// <summary>Why a redirect URI cannot be registered; null when it can.</summary>
    internal static string? RedirectProblem(string? redirect)
    {
        if (string.IsNullOrWhiteSpace(redirect) || redirect.Length > 2000 || !Uri.TryCreate(redirect, UriKind.Absolute, out var uri))
        {
            return "is not an absolute URI";
        }

        if (uri.Fragment.Length > 0 || uri.UserInfo.Length > 0)
        {
            return "must have no fragment and no user information";
        }

        if (uri.Scheme == Uri.UriSchemeHttps)
        {
            return null;
        }

        if (uri.Scheme == Uri.UriSchemeHttp)
        {
            return uri.IsLoopback ? null : "is plain HTTP to a host other than this machine's loopback";
        }

        // A private-use scheme (RFC 8252 7.1), such as cursor:// or vscode://: an app's own, never one a browser runs.
        return s_forbiddenSchemes.Contains(uri.Scheme) ? $"has a scheme ({uri.Scheme}) that is never a redirect" : null;
    }

    private static string Clip(string value) => value.Length > 100 ? value[..100] + "…" : value;

    private static IResult Error(int status, string error, string description) =>
        Results.Json(new Dictionary<string, string> { ["error"] = error, ["error_description"] = description }, statusCode: status);

    [LoggerMessage(Level = LogLevel.Information, Message = "Registered client {ClientId} ({Name}) for {RedirectUris}")]
    private static partial void LogRegistered(ILogger logger, string clientId, string name, string redirectUris);
}
