using System.Text.Json.Nodes;
using AgentGateway.Portal.Components.Shared;

namespace AgentGateway.Portal.Components.Pages.Policies.Forms;

/// <summary>A backend-auth spec (<c>BackendAuth</c>): one method, its secrets as references to tenant secrets.</summary>
public sealed class BackendAuthModel : PolicySpecModel
{
    public const string Passthrough = "passthrough";
    public const string Header = "header";
    public const string ClientCredentials = "oauth2ClientCredentials";
    public const string TokenExchange = "tokenExchange";
    public const string AwsSigV4 = "awsSigv4";
    public const string GcpIdentityToken = "gcpIdentityToken";
    public const string GcpAccessToken = "gcpAccessToken";
    public const string UserOAuth = "userOauth";

    private static readonly string[] s_methods = [Passthrough, Header, ClientCredentials, TokenExchange, UserOAuth, AwsSigV4, GcpIdentityToken, GcpAccessToken];

    /// <summary>What each method's object held when read, so fields the form does not show survive.</summary>
    private readonly Dictionary<string, JsonObject> _sources = new(StringComparer.Ordinal);

    public string Method { get; set; } = Passthrough;

    public string HeaderName { get; set; } = "Authorization";

    public string HeaderPrefix { get; set; } = "Bearer ";

    public string? HeaderSecret { get; set; }

    public string TokenUrl { get; set; } = string.Empty;

    public string ClientId { get; set; } = string.Empty;

    public string? ClientSecret { get; set; }

    public string Scopes { get; set; } = string.Empty;

    public string Audience { get; set; } = string.Empty;

    public string Resource { get; set; } = string.Empty;

    public string AuthorizationUrl { get; set; } = string.Empty;

    public string RevocationUrl { get; set; } = string.Empty;

    public string RedirectUri { get; set; } = string.Empty;

    public string Region { get; set; } = string.Empty;

    public string Service { get; set; } = string.Empty;

    public string? AccessKeyId { get; set; }

    public string? SecretAccessKey { get; set; }

    public string? SessionToken { get; set; }

    public string? ServiceAccountKey { get; set; }

    public static IReadOnlyList<string> Methods => s_methods;

    public static string Title(string method) => method switch
    {
        Passthrough => "Pass the caller's Authorization header through",
        Header => "A static header with a secret",
        ClientCredentials => "OAuth 2.0 client credentials",
        TokenExchange => "OAuth 2.0 token exchange (RFC 8693, on the caller's behalf)",
        UserOAuth => "Each user's own OAuth 2.0 authorization (the server acts as the user)",
        AwsSigV4 => "AWS Signature Version 4",
        GcpIdentityToken => "Google Cloud identity token",
        GcpAccessToken => "Google Cloud access token (Google APIs, Vertex AI)",
        _ => method,
    };

    public static BackendAuthModel Read(JsonObject? json)
    {
        var model = new BackendAuthModel();
        foreach (var method in s_methods)
        {
            if (SpecJson.Object(json, method) is { } source)
            {
                model._sources[method] = SpecJson.Copy(source);
            }
        }

        model.Method = s_methods.FirstOrDefault(model._sources.ContainsKey) ?? Passthrough;
        if (model._sources.TryGetValue(Header, out var header))
        {
            model.HeaderName = SpecJson.Text(header, "name");
            model.HeaderPrefix = SpecJson.Text(header, "prefix");
            model.HeaderSecret = SpecJson.SecretRef(header, "value");
        }

        if ((model._sources.GetValueOrDefault(ClientCredentials) ?? model._sources.GetValueOrDefault(TokenExchange) ?? model._sources.GetValueOrDefault(UserOAuth)) is { } oauth)
        {
            model.AuthorizationUrl = SpecJson.Text(oauth, "authorizationUrl");
            model.RevocationUrl = SpecJson.Text(oauth, "revocationUrl");
            model.RedirectUri = SpecJson.Text(oauth, "redirectUri");
            model.TokenUrl = SpecJson.Text(oauth, "tokenUrl");
            model.ClientId = SpecJson.Text(oauth, "clientId");
            model.ClientSecret = SpecJson.SecretRef(oauth, "clientSecret");
            model.Scopes = TextLists.Join(SpecJson.Strings(oauth, "scopes"));
            model.Audience = SpecJson.Text(oauth, "audience");
            model.Resource = SpecJson.Text(oauth, "resource");
        }

        if (model._sources.TryGetValue(AwsSigV4, out var aws))
        {
            model.Region = SpecJson.Text(aws, "region");
            model.Service = SpecJson.Text(aws, "service");
            model.AccessKeyId = SpecJson.SecretRef(aws, "accessKeyId");
            model.SecretAccessKey = SpecJson.SecretRef(aws, "secretAccessKey");
            model.SessionToken = SpecJson.SecretRef(aws, "sessionToken");
        }

        if (model._sources.TryGetValue(GcpIdentityToken, out var gcp))
        {
            model.Audience = model.Audience.Length > 0 ? model.Audience : SpecJson.Text(gcp, "audience");
            model.ServiceAccountKey = SpecJson.SecretRef(gcp, "serviceAccountKey");
        }

        if (model._sources.TryGetValue(GcpAccessToken, out var google))
        {
            model.Scopes = model.Scopes.Length > 0 ? model.Scopes : TextLists.Join(SpecJson.Strings(google, "scopes"));
            model.ServiceAccountKey ??= SpecJson.SecretRef(google, "serviceAccountKey");
        }

        return model;
    }

    /// <summary>A key, or else (asked for explicitly, as AdminApi wants it) the proxy's own service account.</summary>
    private void SetGoogleIdentity(JsonObject method)
    {
        SpecJson.SetSecret(method, "serviceAccountKey", ServiceAccountKey);
        if (string.IsNullOrEmpty(ServiceAccountKey))
        {
            method["proxyIdentity"] = true;
        }
        else
        {
            method.Remove("proxyIdentity");
        }
    }

    public override JsonObject Write()
    {
        var method = SpecJson.Copy(_sources.GetValueOrDefault(Method));
        switch (Method)
        {
            case Header:
                SpecJson.Set(method, "name", HeaderName);
                SpecJson.SetVerbatim(method, "prefix", HeaderPrefix);
                SpecJson.SetSecret(method, "value", HeaderSecret);
                break;
            case ClientCredentials:
            case TokenExchange:
                SpecJson.Set(method, "tokenUrl", TokenUrl);
                SpecJson.Set(method, "clientId", ClientId);
                SpecJson.SetSecret(method, "clientSecret", ClientSecret);
                SpecJson.SetList(method, "scopes", Scopes);
                SpecJson.Set(method, "audience", Audience);
                SpecJson.Set(method, "resource", Resource);
                break;
            case UserOAuth:
                SpecJson.Set(method, "authorizationUrl", AuthorizationUrl);
                SpecJson.Set(method, "tokenUrl", TokenUrl);
                SpecJson.Set(method, "clientId", ClientId);
                SpecJson.SetSecret(method, "clientSecret", ClientSecret);
                SpecJson.SetList(method, "scopes", Scopes);
                SpecJson.Set(method, "resource", Resource);
                SpecJson.Set(method, "revocationUrl", RevocationUrl);
                SpecJson.Set(method, "redirectUri", RedirectUri);
                break;
            case AwsSigV4:
                SpecJson.Set(method, "region", Region);
                SpecJson.Set(method, "service", Service);
                SpecJson.SetSecret(method, "accessKeyId", AccessKeyId);
                SpecJson.SetSecret(method, "secretAccessKey", SecretAccessKey);
                SpecJson.SetSecret(method, "sessionToken", SessionToken);
                break;
            case GcpIdentityToken:
                SpecJson.Set(method, "audience", Audience);
                SetGoogleIdentity(method);
                break;
            case GcpAccessToken:
                SpecJson.SetList(method, "scopes", Scopes);
                SetGoogleIdentity(method);
                break;
            default:
                method = [];
                break;
        }

        return new JsonObject { [Method] = method };
    }
}
