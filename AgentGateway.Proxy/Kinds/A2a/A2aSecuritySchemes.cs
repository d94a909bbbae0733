using System.Text.Json.Nodes;
using AgentGateway.Proxy.Pipeline;

namespace AgentGateway.Proxy.Kinds.A2a;

/// <summary>
/// The security schemes a route's card advertises: those of the gateway's authentication policies, which the caller
/// must satisfy (the agent's own are the gateway's business, through backend auth). JWT authentication is an HTTP
/// bearer (JWT) scheme, MCP authentication adds an OpenID Connect scheme for its first authorization server, API-key
/// authentication an API key in its header. Each is one alternative of the requirements; when no method is strict
/// an empty requirement says that anonymous calls are accepted too. In v0.3 (<c>securitySchemes</c> in OpenAPI form,
/// <c>security</c>) or v1.0 shape (proto JSON oneofs, <c>securityRequirements</c>).
/// </summary>
internal static class A2aSecuritySchemes
{
    public const string Bearer = "gatewayBearer";
    public const string OpenIdConnect = "gatewayOpenIdConnect";
    public const string ApiKey = "gatewayApiKey";

    public static void Apply(JsonObject card, RoutePolicyRuntime policies, bool v10)
    {
        ArgumentNullException.ThrowIfNull(card);
        ArgumentNullException.ThrowIfNull(policies);
        foreach (var name in (string[])["securitySchemes", "security_schemes", "security", "securityRequirements", "security_requirements"])
        {
            card.Remove(name);
        }

        // Skills may name the agent's schemes, which the card no longer has.
        if (card["skills"] is JsonArray skills)
        {
            foreach (var skill in skills.OfType<JsonObject>())
            {
                skill.Remove("security");
                skill.Remove("securityRequirements");
                skill.Remove("security_requirements");
            }
        }

        if (!policies.HasAuthentication)
        {
            return;
        }

        var schemes = new JsonObject();
        var names = new List<string>();
        if (policies.Jwt is not null || policies.McpAuthentication is not null)
        {
            schemes[Bearer] = v10
                ? new JsonObject { ["httpAuthSecurityScheme"] = new JsonObject { ["scheme"] = "Bearer", ["bearerFormat"] = "JWT", ["description"] = "A JWT the gateway accepts." } }
                : new JsonObject { ["type"] = "http", ["scheme"] = "bearer", ["bearerFormat"] = "JWT", ["description"] = "A JWT the gateway accepts." };
            names.Add(Bearer);
        }

        if (policies.McpAuthentication is { AuthorizationServers.Count: > 0 } oauth && oauth.AuthorizationServers[0].Issuer is { Length: > 0 } issuer)
        {
            var discovery = issuer.TrimEnd('/') + "/.well-known/openid-configuration";
            schemes[OpenIdConnect] = v10
                ? new JsonObject { ["openIdConnectSecurityScheme"] = new JsonObject { ["openIdConnectUrl"] = discovery } }
                : new JsonObject { ["type"] = "openIdConnect", ["openIdConnectUrl"] = discovery };
            names.Add(OpenIdConnect);
        }

        if (policies.ApiKeyAuth is not null)
        {
            schemes[ApiKey] = v10
                ? new JsonObject { ["apiKeySecurityScheme"] = new JsonObject { ["location"] = "header", ["name"] = policies.ApiKeyHeader } }
                : new JsonObject { ["type"] = "apiKey", ["in"] = "header", ["name"] = policies.ApiKeyHeader };
            names.Add(ApiKey);
        }

        var requirements = new JsonArray();
        foreach (var name in names)
        {
            requirements.Add(v10
                ? new JsonObject { ["schemes"] = new JsonObject { [name] = new JsonObject { ["list"] = new JsonArray() } } }
                : new JsonObject { [name] = new JsonArray() });
        }

        if (!policies.RequiresAuthentication)
        {
            requirements.Add(v10 ? new JsonObject { ["schemes"] = new JsonObject() } : new JsonObject());
        }

        card["securitySchemes"] = schemes;
        card[v10 ? "securityRequirements" : "security"] = requirements;
    }
}
