using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.RegularExpressions;
using AgentGateway.Contracts.V1;

namespace AgentGateway.Contracts.Policies;

/// <summary>
/// The rules every policy must satisfy, shared by the control plane (a 400 naming the field when a policy is saved)
/// and the proxy (a NACK or a file error): a policy one accepts, the other runs.
/// </summary>
public static partial class PolicyValidator
{
    public const string ModeStrict = "strict";
    public const string ModeOptional = "optional";
    public const string PinningWithhold = "withhold";
    public const string PinningFlag = "flag";
    public const string PinningOff = "off";

    public static void Validate(RoutePolicies? policies, string path, SecretSources sources, List<ConfigError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (policies is null)
        {
            return;
        }

        if (policies.JwtAuth is { } jwt)
        {
            Validate(jwt, Join(path, "jwtAuth"), errors);
        }

        if (policies.McpAuthentication is { } mcp)
        {
            Validate(mcp, Join(path, "mcpAuthentication"), errors);
        }

        if (policies.ApiKeyAuth is { } apiKeys)
        {
            Validate(apiKeys, Join(path, "apiKeyAuth"), sources, errors);
        }

        if (policies.ExtAuthz is { } extAuthz)
        {
            Validate(extAuthz, Join(path, "extAuthz"), errors);
        }

        if (policies.McpAuthorization is { } authorization)
        {
            Validate(authorization, Join(path, "mcpAuthorization"), errors);
        }

        ValidateTraffic(policies, path, errors);
        ValidateRateLimits(policies, path, errors);
        if (policies.A2AAuthorization is { } a2aAuthorization)
        {
            Validate(a2aAuthorization, Join(path, "a2aAuthorization"), errors);
        }

        if (policies.LlmGuards is { } llmGuards)
        {
            Validate(llmGuards, Join(path, "llmGuards"), sources, errors);
        }

        if (policies.ToolGuards is { } toolGuards)
        {
            Validate(toolGuards, Join(path, "toolGuards"), errors);
        }

        if (policies.Authorization is { } requestAuthorization)
        {
            Validate(requestAuthorization, Join(path, "authorization"), errors);
        }
    }

    public static void Validate(JwtAuthentication jwt, string path, List<ConfigError> errors)
    {
        ArgumentNullException.ThrowIfNull(jwt);
        ArgumentNullException.ThrowIfNull(errors);
        Mode(jwt.Mode, Join(path, "mode"), errors);
        Providers(jwt.Providers, Join(path, "providers"), errors);
    }

    public static void Validate(McpAuthentication mcp, string path, List<ConfigError> errors)
    {
        ArgumentNullException.ThrowIfNull(mcp);
        ArgumentNullException.ThrowIfNull(errors);
        Mode(mcp.Mode, Join(path, "mode"), errors);
        if (mcp.Resource.Length > 0 && !IsHttpUrl(mcp.Resource, out var resource) | resource?.Fragment.Length > 0)
        {
            errors.Add(new ConfigError(Join(path, "resource"), "must be an absolute http(s) URI without a fragment (the route's canonical URI)"));
        }

        Providers(mcp.AuthorizationServers, Join(path, "authorizationServers"), errors);
        foreach (var provider in mcp.AuthorizationServers.Select((provider, index) => (provider, index)))
        {
            if (!IsHttpUrl(provider.provider.Issuer, out _))
            {
                errors.Add(new ConfigError($"{Join(path, "authorizationServers")}[{provider.index}].issuer",
                    "must be the authorization server's http(s) issuer URL (clients discover it from the metadata)"));
            }
        }

        Scopes(mcp.ScopesSupported, Join(path, "scopesSupported"), errors);
        Scopes(mcp.RequiredScopes, Join(path, "requiredScopes"), errors);
        for (var index = 0; index < mcp.OperationScopes.Count; index++)
        {
            var requirement = mcp.OperationScopes[index];
            var field = $"{Join(path, "operationScopes")}[{index}]";
            if (CelExpressions.Validate(requirement.Match) is { } problem)
            {
                errors.Add(new ConfigError(Join(field, "match"), problem));
            }

            if (requirement.Scopes.Count == 0)
            {
                errors.Add(new ConfigError(Join(field, "scopes"), "must name at least one scope"));
            }

            Scopes(requirement.Scopes, Join(field, "scopes"), errors);
        }

        if (mcp.ResourceDocumentation.Length > 0 && !IsHttpUrl(mcp.ResourceDocumentation, out _))
        {
            errors.Add(new ConfigError(Join(path, "resourceDocumentation"), "must be an absolute http(s) URL"));
        }
    }

    public static void Validate(ApiKeyAuthentication apiKeys, string path, SecretSources sources, List<ConfigError> errors)
    {
        ArgumentNullException.ThrowIfNull(apiKeys);
        ArgumentNullException.ThrowIfNull(errors);
        Mode(apiKeys.Mode, Join(path, "mode"), errors);
        if (apiKeys.Header.Length > 0 && !HeaderName().IsMatch(apiKeys.Header))
        {
            errors.Add(new ConfigError(Join(path, "header"), "must be a valid HTTP header name"));
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var index = 0; index < apiKeys.Keys.Count; index++)
        {
            var key = apiKeys.Keys[index];
            var field = $"{Join(path, "keys")}[{index}]";
            if (string.IsNullOrWhiteSpace(key.Id) || !ids.Add(key.Id))
            {
                errors.Add(new ConfigError(Join(field, "id"), "is required and must be distinct within the route"));
            }

            var hasHash = key.Sha256.Length > 0;
            if (hasHash == (key.Key is not null))
            {
                errors.Add(new ConfigError(field, "needs exactly one of sha256 (the key's hash) or key"));
            }
            else if (hasHash && !Sha256Hex().IsMatch(key.Sha256))
            {
                errors.Add(new ConfigError(Join(field, "sha256"), "must be 64 lower-case hex digits (the SHA-256 of the key)"));
            }
            else if (key.Key is not null)
            {
                Secret(key.Key, Join(field, "key"), sources, errors);
            }

            if (key.Llm is { } limits)
            {
                Validate(limits, Join(field, "llm"), errors);
            }
        }
    }

    /// <summary>A virtual key's limits on LLM routes.</summary>
    public static void Validate(ApiKeyLlmLimits limits, string path, List<ConfigError> errors)
    {
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentNullException.ThrowIfNull(errors);
        if (limits.Models.Count > 100 || limits.Models.Any(model => model.Length is 0 or > 256 || model.Any(char.IsControl)))
        {
            errors.Add(new ConfigError(Join(path, "models"), "must be at most 100 model names of 1-256 characters"));
        }
        else if (limits.Models.Distinct(StringComparer.Ordinal).Count() != limits.Models.Count)
        {
            errors.Add(new ConfigError(Join(path, "models"), "must name each model once"));
        }

        if (limits.Budget is { } budget)
        {
            Validate(budget, Join(path, "budget"), errors);
        }
    }

    /// <summary>A budget: a spend, tokens or both, over a calendar period or a rolling window.</summary>
    public static void Validate(LlmBudget budget, string path, List<ConfigError> errors)
    {
        ArgumentNullException.ThrowIfNull(budget);
        ArgumentNullException.ThrowIfNull(errors);
        if (!double.IsFinite(budget.Amount) || budget.Amount < 0 || budget.Amount > 1e9)
        {
            errors.Add(new ConfigError(Join(path, "amount"), "must be between 0 (no limit on the spend) and 1000000000"));
        }
        else if (budget.Amount == 0 && budget.Tokens == 0)
        {
            errors.Add(new ConfigError(Join(path, "amount"), "or tokens must be more than 0: a budget limits the spend, the tokens or both"));
        }

        if (budget.Tokens > 1_000_000_000_000)
        {
            errors.Add(new ConfigError(Join(path, "tokens"), "must be at most 1000000000000"));
        }

        if (!Enum.IsDefined(budget.Period))
        {
            errors.Add(new ConfigError(Join(path, "period"), "must be 'day', 'week' or 'month'"));
        }

        if (budget.WindowHours > 24 * 366)
        {
            errors.Add(new ConfigError(Join(path, "windowHours"), "must be at most 8784 (a year)"));
        }
    }

    public static void Validate(ExternalAuthorization extAuthz, string path, List<ConfigError> errors)
    {
        ArgumentNullException.ThrowIfNull(extAuthz);
        ArgumentNullException.ThrowIfNull(errors);
        switch (extAuthz.ServiceCase)
        {
            case ExternalAuthorization.ServiceOneofCase.Grpc:
                if (!IsHttpUrl(extAuthz.Grpc.Address, out _))
                {
                    errors.Add(new ConfigError(Join(path, "grpc.address"), "must be an absolute http(s) URL, e.g. http://authz:9191"));
                }

                break;
            case ExternalAuthorization.ServiceOneofCase.Http:
                if (!IsHttpUrl(extAuthz.Http.Url, out _))
                {
                    errors.Add(new ConfigError(Join(path, "http.url"), "must be an absolute http(s) URL"));
                }

                HeaderNames(extAuthz.Http.AllowedRequestHeaders, Join(path, "http.allowedRequestHeaders"), errors);
                HeaderNames(extAuthz.Http.AllowedUpstreamHeaders, Join(path, "http.allowedUpstreamHeaders"), errors);
                break;
            default:
                errors.Add(new ConfigError(path, "needs a service: grpc or http"));
                break;
        }

        if (extAuthz.TimeoutMs > 60_000)
        {
            errors.Add(new ConfigError(Join(path, "timeoutMs"), "must be at most 60000 (one minute)"));
        }

        if (extAuthz.MaxRequestBytes > 1_048_576)
        {
            errors.Add(new ConfigError(Join(path, "maxRequestBytes"), "must be at most 1048576 (1 MiB)"));
        }
    }

    public static void Validate(McpAuthorization authorization, string path, List<ConfigError> errors)
    {
        ArgumentNullException.ThrowIfNull(authorization);
        Rules(authorization.Rules, Join(path, "rules"), errors);
    }

    /// <summary>Every rule's expression must be a CEL rule (with the position of a syntax error).</summary>
    private static void Rules(IReadOnlyList<AuthorizationRule> rules, string path, List<ConfigError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        for (var index = 0; index < rules.Count; index++)
        {
            if (CelExpressions.Validate(rules[index].Expression) is { } problem)
            {
                errors.Add(new ConfigError($"{path}[{index}].expression", problem));
            }
        }
    }

    public static void Validate(BackendAuth? auth, string path, SecretSources sources, List<ConfigError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (auth is null)
        {
            return;
        }

        switch (auth.MethodCase)
        {
            case BackendAuth.MethodOneofCase.Passthrough:
                break;
            case BackendAuth.MethodOneofCase.Header:
                if (auth.Header.Name.Length > 0 && !HeaderName().IsMatch(auth.Header.Name))
                {
                    errors.Add(new ConfigError(Join(path, "header.name"), "must be a valid HTTP header name"));
                }

                Secret(auth.Header.Value, Join(path, "header.value"), sources, errors, required: true);
                break;
            case BackendAuth.MethodOneofCase.Oauth2ClientCredentials:
                var credentials = auth.Oauth2ClientCredentials;
                TokenClient(credentials.TokenUrl, credentials.ClientId, credentials.ClientSecret, Join(path, "oauth2ClientCredentials"), sources, errors);
                break;
            case BackendAuth.MethodOneofCase.TokenExchange:
                var exchange = auth.TokenExchange;
                TokenClient(exchange.TokenUrl, exchange.ClientId, exchange.ClientSecret, Join(path, "tokenExchange"), sources, errors);
                break;
            case BackendAuth.MethodOneofCase.AwsSigv4:
                var aws = auth.AwsSigv4;
                if (!AwsName().IsMatch(aws.Region))
                {
                    errors.Add(new ConfigError(Join(path, "awsSigv4.region"), "is required, e.g. us-east-1"));
                }

                if (!AwsName().IsMatch(aws.Service))
                {
                    errors.Add(new ConfigError(Join(path, "awsSigv4.service"), "is required: the service's signing name, e.g. execute-api"));
                }

                Secret(aws.AccessKeyId, Join(path, "awsSigv4.accessKeyId"), sources, errors, required: true);
                Secret(aws.SecretAccessKey, Join(path, "awsSigv4.secretAccessKey"), sources, errors, required: true);
                Secret(aws.SessionToken, Join(path, "awsSigv4.sessionToken"), sources, errors);
                break;
            case BackendAuth.MethodOneofCase.GcpIdentityToken:
                Secret(auth.GcpIdentityToken.ServiceAccountKey, Join(path, "gcpIdentityToken.serviceAccountKey"), sources, errors);
                GoogleIdentity(auth.GcpIdentityToken.ServiceAccountKey, auth.GcpIdentityToken.ProxyIdentity, Join(path, "gcpIdentityToken"), errors);
                break;
            case BackendAuth.MethodOneofCase.GcpAccessToken:
                var google = auth.GcpAccessToken;
                for (var index = 0; index < google.Scopes.Count; index++)
                {
                    if (google.Scopes[index].Length == 0 || google.Scopes[index].Any(character => char.IsWhiteSpace(character) || char.IsControl(character)))
                    {
                        errors.Add(new ConfigError($"{Join(path, "gcpAccessToken.scopes")}[{index}]", "must be a scope without spaces, e.g. https://www.googleapis.com/auth/cloud-platform"));
                    }
                }

                Secret(google.ServiceAccountKey, Join(path, "gcpAccessToken.serviceAccountKey"), sources, errors);
                GoogleIdentity(google.ServiceAccountKey, google.ProxyIdentity, Join(path, "gcpAccessToken"), errors);
                break;
            case BackendAuth.MethodOneofCase.UserOauth:
                UserOAuth(auth.UserOauth, Join(path, "userOauth"), sources, errors);
                break;
            default:
                errors.Add(new ConfigError(path, "needs a method: passthrough, header, oauth2ClientCredentials, tokenExchange, awsSigv4, gcpIdentityToken, gcpAccessToken or userOauth"));
                break;
        }
    }

    private static void UserOAuth(UserOAuth oauth, string path, SecretSources sources, List<ConfigError> errors)
    {
        if (!IsHttpUrl(oauth.AuthorizationUrl, out _))
        {
            errors.Add(new ConfigError(Join(path, "authorizationUrl"), "must be the absolute http(s) URL of the authorization endpoint"));
        }

        if (!IsHttpUrl(oauth.TokenUrl, out _))
        {
            errors.Add(new ConfigError(Join(path, "tokenUrl"), "must be the absolute http(s) URL of the token endpoint"));
        }

        if (string.IsNullOrWhiteSpace(oauth.ClientId))
        {
            errors.Add(new ConfigError(Join(path, "clientId"), "is required"));
        }

        Secret(oauth.ClientSecret, Join(path, "clientSecret"), sources, errors);
        Scopes(oauth.Scopes, Join(path, "scopes"), errors);
        foreach (var (field, value) in new[] { ("resource", oauth.Resource), ("revocationUrl", oauth.RevocationUrl), ("redirectUri", oauth.RedirectUri), ("connectUrl", oauth.ConnectUrl) })
        {
            if (value.Length > 0 && (!IsHttpUrl(value, out var uri) || uri!.Fragment.Length > 0))
            {
                errors.Add(new ConfigError(Join(path, field), "must be an absolute http(s) URL without a fragment"));
            }
        }
    }

    /// <summary>
    /// Whose Google identity a token is of: a service account key, or — asked for in so many words — the proxy's own. The
    /// proxy's identity is never what an auth without a key falls back to.
    /// </summary>
    private static void GoogleIdentity(SecretValue? serviceAccountKey, bool proxyIdentity, string path, List<ConfigError> errors)
    {
        if ((serviceAccountKey is not null) == proxyIdentity)
        {
            errors.Add(new ConfigError(Join(path, "serviceAccountKey"), proxyIdentity
                ? "and proxyIdentity exclude each other: the token is of the key's service account, or of the proxy's"
                : "is required, or proxyIdentity: true to use the proxy's own service account (which a platform admin allows per tenant)"));
        }
    }

    /// <summary>
    /// Where a message (a policy, a route) asks for the proxy's own cloud identity: the paths of its Google token auths
    /// with <c>proxyIdentity</c>.
    /// </summary>
    public static IEnumerable<string> ProxyIdentityUses(Google.Protobuf.IMessage message, string path = "")
    {
        ArgumentNullException.ThrowIfNull(message);
        foreach (var (authPath, auth) in Find<BackendAuth>(message, path))
        {
            if (auth.GcpIdentityToken?.ProxyIdentity == true)
            {
                yield return Join(authPath, "gcpIdentityToken.proxyIdentity");
            }
            else if (auth.GcpAccessToken?.ProxyIdentity == true)
            {
                yield return Join(authPath, "gcpAccessToken.proxyIdentity");
            }
        }
    }

    public static void Validate(BackendTls? tls, string path, SecretSources sources, List<ConfigError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (tls is null)
        {
            return;
        }

        if (tls.CaPem.Length > 0 && !ParsesAsCertificates(tls.CaPem))
        {
            errors.Add(new ConfigError(Join(path, "caPem"), "must hold one or more PEM certificates (-----BEGIN CERTIFICATE-----)"));
        }

        var hasCertificate = tls.ClientCertificatePem.Length > 0;
        if (hasCertificate != (tls.ClientKeyPem is not null))
        {
            errors.Add(new ConfigError(Join(path, "clientCertificatePem"), "and clientKeyPem go together: give both for mutual TLS, or neither"));
        }
        else if (hasCertificate)
        {
            Secret(tls.ClientKeyPem, Join(path, "clientKeyPem"), sources, errors, required: true);
            if (tls.ClientKeyPem!.SourceCase == SecretValue.SourceOneofCase.Inline)
            {
                try
                {
                    using var pair = X509Certificate2.CreateFromPem(tls.ClientCertificatePem, tls.ClientKeyPem.Inline);
                }
                catch (CryptographicException exception)
                {
                    errors.Add(new ConfigError(Join(path, "clientCertificatePem"), $"and clientKeyPem must be a PEM certificate and its private key: {exception.Message}"));
                }
            }
        }

        if (tls.Sni.Length > 0 && Uri.CheckHostName(tls.Sni) != UriHostNameType.Dns)
        {
            errors.Add(new ConfigError(Join(path, "sni"), "must be a DNS host name"));
        }
    }

    public static void Validate(ToolPinning? pinning, string path, List<ConfigError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (pinning is null)
        {
            return;
        }

        if (pinning.Mode is not ("" or PinningWithhold or PinningFlag or PinningOff))
        {
            errors.Add(new ConfigError(Join(path, "mode"), $"must be '{PinningWithhold}', '{PinningFlag}' or '{PinningOff}'"));
        }

        for (var index = 0; index < pinning.Pins.Count; index++)
        {
            var pin = pinning.Pins[index];
            var field = $"{Join(path, "pins")}[{index}]";
            if (pin.Target.Length == 0)
            {
                errors.Add(new ConfigError(Join(field, "target"), "is required"));
            }

            if (pin.Tool.Length == 0)
            {
                errors.Add(new ConfigError(Join(field, "tool"), "is required"));
            }

            if (!Sha256Hex().IsMatch(pin.Sha256))
            {
                errors.Add(new ConfigError(Join(field, "sha256"), "must be 64 lower-case hex digits"));
            }
        }
    }

    public static void Validate(EgressPolicy? egress, string path, List<ConfigError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (egress is null)
        {
            return;
        }

        for (var index = 0; index < egress.Allow.Count; index++)
        {
            Validate(egress.Allow[index], $"{Join(path, "allow")}[{index}]", errors);
        }
    }

    public static void Validate(EgressAllowRule rule, string path, List<ConfigError> errors)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(errors);
        if ((rule.Cidr.Length > 0) == (rule.Host.Length > 0))
        {
            errors.Add(new ConfigError(path, "needs exactly one of cidr (an address range) or host (a host name)"));
        }
        else if (rule.Cidr.Length > 0 && !IPNetwork.TryParse(rule.Cidr, out _))
        {
            errors.Add(new ConfigError(Join(path, "cidr"), "must be an address range such as 10.0.0.0/8 or 127.0.0.1/32"));
        }
        else if (rule.Host.Length > 0 && Uri.CheckHostName(rule.Host) == UriHostNameType.Unknown)
        {
            errors.Add(new ConfigError(Join(path, "host"), "must be a host name"));
        }

        if (rule.Ports.Any(port => port is 0 or > 65535))
        {
            errors.Add(new ConfigError(Join(path, "ports"), "must be ports from 1 to 65535"));
        }
    }

    /// <summary>Checks that a secret comes from a source this config may use (and is present when required).</summary>
    public static void Secret(SecretValue? value, string path, SecretSources sources, List<ConfigError> errors, bool required = false)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (value is null || value.SourceCase == SecretValue.SourceOneofCase.None)
        {
            if (required)
            {
                errors.Add(new ConfigError(path, sources.HasFlag(SecretSources.SecretRef)
                    ? "is required: reference a tenant secret with {\"secretRef\": \"name\"}"
                    : "is required"));
            }

            return;
        }

        var (source, name) = value.SourceCase switch
        {
            SecretValue.SourceOneofCase.Inline => (SecretSources.Inline, "inline"),
            SecretValue.SourceOneofCase.SecretRef => (SecretSources.SecretRef, "secretRef"),
            SecretValue.SourceOneofCase.Env => (SecretSources.Environment, "env"),
            _ => (SecretSources.File, "file"),
        };
        if (!sources.HasFlag(source))
        {
            errors.Add(new ConfigError(path, sources.HasFlag(SecretSources.SecretRef)
                ? $"cannot be given as '{name}' here: store the value as a tenant secret and reference it with {{\"secretRef\": \"name\"}}"
                : $"cannot be given as '{name}' here"));
        }
        else if (source == SecretSources.SecretRef && !Names.IsValid(value.SecretRef))
        {
            errors.Add(new ConfigError(Join(path, "secretRef"), $"must name a tenant secret: {Names.Rule}"));
        }
        else if (source is SecretSources.Environment or SecretSources.File && (value.Env + value.File).Length == 0)
        {
            errors.Add(new ConfigError(Join(path, name), "must not be empty"));
        }
    }

    /// <summary>The secret values a policy references by name (the tenant secrets it needs).</summary>
    public static IEnumerable<(string Path, SecretValue Value)> Secrets(Google.Protobuf.IMessage message, string path = "") => Find<SecretValue>(message, path);

    /// <summary>Every message of type <typeparamref name="T"/> within <paramref name="message"/> (itself included), with its JSON path.</summary>
    public static IEnumerable<(string Path, T Value)> Find<T>(Google.Protobuf.IMessage message, string path = "")
        where T : class, Google.Protobuf.IMessage
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message is T self)
        {
            yield return (path, self);
            yield break;
        }

        foreach (var field in message.Descriptor.Fields.InDeclarationOrder())
        {
            if (field.FieldType != Google.Protobuf.Reflection.FieldType.Message || field.IsMap)
            {
                continue;
            }

            var value = field.Accessor.GetValue(message);
            var items = field.IsRepeated ? ((System.Collections.IList)value).Cast<object>().Select((item, index) => (item, $"{Join(path, field.JsonName)}[{index}]"))
                : value is null ? [] : [(value, Join(path, field.JsonName))];
            foreach (var (item, itemPath) in items)
            {
                if (item is Google.Protobuf.IMessage nested)
                {
                    foreach (var found in Find<T>(nested, itemPath))
                    {
                        yield return found;
                    }
                }
            }
        }
    }

    private static void Mode(string mode, string path, List<ConfigError> errors)
    {
        if (mode is not ("" or ModeStrict or ModeOptional))
        {
            errors.Add(new ConfigError(path, $"must be '{ModeStrict}' or '{ModeOptional}'"));
        }
    }

    private static void Providers(IReadOnlyList<JwtProvider> providers, string path, List<ConfigError> errors)
    {
        if (providers.Count == 0)
        {
            errors.Add(new ConfigError(path, "must name at least one issuer"));
        }

        var issuers = new HashSet<string>(StringComparer.Ordinal);
        for (var index = 0; index < providers.Count; index++)
        {
            var provider = providers[index];
            var field = $"{path}[{index}]";
            if (string.IsNullOrWhiteSpace(provider.Issuer))
            {
                errors.Add(new ConfigError(Join(field, "issuer"), "is required: the exact 'iss' of the tokens"));
            }
            else if (!issuers.Add(provider.Issuer))
            {
                errors.Add(new ConfigError(Join(field, "issuer"), "appears twice; give each issuer once"));
            }

            if (provider.JwksUri.Length > 0 && provider.Jwks.Length > 0)
            {
                errors.Add(new ConfigError(Join(field, "jwks"), "cannot be given together with jwksUri; give one"));
            }
            else if (provider.JwksUri.Length > 0 && !IsHttpUrl(provider.JwksUri, out _))
            {
                errors.Add(new ConfigError(Join(field, "jwksUri"), "must be an absolute http(s) URL"));
            }
            else if (provider.Jwks.Length > 0 && !IsJwks(provider.Jwks))
            {
                errors.Add(new ConfigError(Join(field, "jwks"), "must be a JWKS document: {\"keys\": [...]} with at least one key"));
            }
            else if (provider.JwksUri.Length == 0 && provider.Jwks.Length == 0 && provider.Issuer.Length > 0 && !IsHttpUrl(provider.Issuer, out _))
            {
                errors.Add(new ConfigError(Join(field, "jwksUri"), "is required when the issuer is not an http(s) URL to discover the keys from"));
            }

            if (provider.ClockSkewSeconds > 600)
            {
                errors.Add(new ConfigError(Join(field, "clockSkewSeconds"), "must be at most 600"));
            }

            if (provider.JwksCacheSeconds > 86_400)
            {
                errors.Add(new ConfigError(Join(field, "jwksCacheSeconds"), "must be at most 86400 (a day)"));
            }

            for (var claim = 0; claim < provider.RequiredClaims.Count; claim++)
            {
                var requirement = provider.RequiredClaims[claim];
                if (string.IsNullOrWhiteSpace(requirement.Claim) || requirement.Values.Count == 0)
                {
                    errors.Add(new ConfigError($"{Join(field, "requiredClaims")}[{claim}]", "needs a claim and at least one value"));
                }
            }
        }
    }

    private static void TokenClient(string tokenUrl, string clientId, SecretValue? clientSecret, string path, SecretSources sources, List<ConfigError> errors)
    {
        if (!IsHttpUrl(tokenUrl, out _))
        {
            errors.Add(new ConfigError(Join(path, "tokenUrl"), "must be the absolute http(s) URL of the token endpoint"));
        }

        if (string.IsNullOrWhiteSpace(clientId))
        {
            errors.Add(new ConfigError(Join(path, "clientId"), "is required"));
        }

        Secret(clientSecret, Join(path, "clientSecret"), sources, errors, required: true);
    }

    private static void Scopes(IEnumerable<string> scopes, string path, List<ConfigError> errors)
    {
        if (scopes.Any(scope => scope.Length == 0 || scope.Any(character => character <= ' ' || character == '"' || character == '\\')))
        {
            errors.Add(new ConfigError(path, "must be scope names without spaces, quotes or backslashes"));
        }
    }

    internal static void HeaderNames(IEnumerable<string> names, string path, List<ConfigError> errors)
    {
        if (names.Any(name => !HeaderName().IsMatch(name)))
        {
            errors.Add(new ConfigError(path, "must be valid HTTP header names"));
        }
    }

    internal static bool IsHttpUrl(string value, out Uri? uri) =>
        Uri.TryCreate(value, UriKind.Absolute, out uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    private static bool IsJwks(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("keys", out var keys) && keys.ValueKind == JsonValueKind.Array && keys.GetArrayLength() > 0;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static bool ParsesAsCertificates(string pem)
    {
        try
        {
            var certificates = new X509Certificate2Collection();
            certificates.ImportFromPem(pem);
            var count = certificates.Count;
            foreach (var certificate in certificates)
            {
                certificate.Dispose();
            }

            return count > 0;
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    internal static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";

    [GeneratedRegex("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$", RegexOptions.CultureInvariant)]
    private static partial Regex HeaderName();

    [GeneratedRegex("^[0-9a-f]{64}$", RegexOptions.CultureInvariant)]
    private static partial Regex Sha256Hex();

    [GeneratedRegex("^[a-z0-9-]{2,64}$", RegexOptions.CultureInvariant)]
    private static partial Regex AwsName();
}
