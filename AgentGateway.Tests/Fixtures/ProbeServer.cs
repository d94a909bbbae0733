using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgentGateway.Contracts.Envoy.Auth;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ModelContextProtocol;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace AgentGateway.Tests.Fixtures;

/// <summary>
/// An upstream the tests can see into, run in the test process: an MCP server (over HTTP, and over HTTPS with the
/// test CA's certificate, optionally asking for a client certificate) whose tools the test changes at will and whose
/// <c>headers</c> tool reports what the gateway sent; a JWKS and OpenID configuration for <see cref="TestJwtIssuer"/>;
/// an external authorization service over gRPC and HTTP; and a Google-style token endpoint.
/// </summary>
public sealed class ProbeServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, Tool> _tools = new(StringComparer.Ordinal);

    private ProbeServer(int httpPort, int httpsPort, int grpcPort, TestCertificates certificates, TestJwtIssuer issuer)
    {
        HttpAddress = new Uri($"http://127.0.0.1:{httpPort}");
        HttpsAddress = new Uri($"https://127.0.0.1:{httpsPort}");
        GrpcAddress = new Uri($"http://127.0.0.1:{grpcPort}");
        Certificates = certificates;
        Issuer = issuer;
        issuer.Issuer = HttpAddress.ToString().TrimEnd('/');
        SetTool("echo", "Returns the message unchanged.");
        SetTool("headers", "Reports the HTTP request the server received.");

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, httpPort);
            kestrel.Listen(IPAddress.Loopback, grpcPort, listen => listen.Protocols = HttpProtocols.Http2);
            kestrel.Listen(IPAddress.Loopback, httpsPort, listen => listen.UseHttps(new HttpsConnectionAdapterOptions
            {
                ServerCertificateSelector = (_, name) =>
                {
                    LastServerName = name;
                    return certificates.Server;
                },
                ClientCertificateMode = ClientCertificateMode.AllowCertificate,
                ClientCertificateValidation = (certificate, _, _) => certificates.Issued(certificate),
            }));
        });
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(this);
        builder.Services.AddMcpServer()
            .WithHttpTransport(options => options.Stateless = true)
            .WithListToolsHandler((_, _) => ValueTask.FromResult(new ListToolsResult { Tools = [.. _tools.Values.OrderBy(tool => tool.Name, StringComparer.Ordinal)] }))
            .WithCallToolHandler((request, _) => ValueTask.FromResult(Call(request)))
            .WithListPromptsHandler((_, _) => ValueTask.FromResult(new ListPromptsResult { Prompts = [new Prompt { Name = "greet", Description = "A greeting." }] }))
            .WithGetPromptHandler((request, _) => ValueTask.FromResult(new GetPromptResult
            {
                Messages = [new PromptMessage { Role = Role.User, Content = new TextContentBlock { Text = "Hello from " + request.Params!.Name } }],
            }))
            .WithListResourcesHandler((_, _) => ValueTask.FromResult(new ListResourcesResult { Resources = [new Resource { Uri = "probe://info", Name = "info" }] }))
            .WithReadResourceHandler((request, _) => ValueTask.FromResult(new ReadResourceResult
            {
                Contents = [new TextResourceContents { Uri = request.Params!.Uri, Text = "the probe" }],
            }));
        _app = builder.Build();
        _app.Use(async (context, next) =>
        {
            if (context.Request.Path.StartsWithSegments("/mcp"))
            {
                Requests.Enqueue(new ReceivedRequest(
                    context.Request.Headers.ToDictionary(header => header.Key, header => header.Value.ToString(), StringComparer.OrdinalIgnoreCase),
                    context.Connection.ClientCertificate?.Subject));
            }

            await next(context);
        });
        _app.MapMcp("/mcp");
        _app.MapGet("/.well-known/openid-configuration", () => Results.Json(new { issuer = issuer.Issuer, jwks_uri = issuer.Issuer + "/jwks" }));
        _app.MapGet("/jwks", () => Results.Content(issuer.Jwks(), "application/json"));
        _app.Map("/authz/{**path}", (Delegate)HttpAuthz);
        _app.MapPost("/gcp/token", (Delegate)GoogleTokenAsync);
        _app.MapGet("/computeMetadata/v1/instance/service-accounts/default/token", (Delegate)MachineAccessToken);
        _app.MapGet("/computeMetadata/v1/instance/service-accounts/default/identity", (Delegate)MachineIdentityToken);
        _app.MapGrpcService<ExtAuthzService>();
    }

    public Uri HttpAddress { get; }

    public Uri HttpsAddress { get; }

    /// <summary>The cleartext HTTP/2 address of the external authorization service.</summary>
    public Uri GrpcAddress { get; }

    public Uri McpEndpoint => new(HttpAddress, "/mcp");

    public Uri McpsEndpoint => new(HttpsAddress, "/mcp");

    public TestCertificates Certificates { get; }

    public TestJwtIssuer Issuer { get; }

    /// <summary>The TLS server name (SNI) of the last HTTPS connection.</summary>
    public string? LastServerName { get; private set; }

    /// <summary>Every MCP request received, in order.</summary>
    public ConcurrentQueue<ReceivedRequest> Requests { get; } = new();

    /// <summary>Every request the external authorization service was asked about (gRPC and HTTP).</summary>
    public ConcurrentQueue<IReadOnlyDictionary<string, string>> AuthzChecks { get; } = new();

    /// <summary>The service account key whose assertions <c>/gcp/token</c> accepts, as Google's key file.</summary>
    public string GoogleServiceAccountKey { get; private set; } = string.Empty;

    private RSA GoogleKey { get; } = RSA.Create(2048);

    private int _googleAccessTokens;

    /// <summary>How many access tokens <c>/gcp/token</c> has issued.</summary>
    public int GoogleAccessTokens => Volatile.Read(ref _googleAccessTokens);

    /// <summary>How many tokens of the machine's own service account the metadata server gave out.</summary>
    public int MachineTokens => Volatile.Read(ref _machineTokens);

    private int _machineTokens;

    /// <summary>The address to give <c>GCE_METADATA_HOST</c>: this server plays the machine's Google metadata server.</summary>
    public string MetadataHost => HttpAddress.Authority;

    public static async Task<ProbeServer> StartAsync(TestCertificates certificates, TestJwtIssuer issuer)
    {
        var probe = new ProbeServer(ServiceProcess.GetFreePort(), ServiceProcess.GetFreePort(), ServiceProcess.GetFreePort(), certificates, issuer);
        probe.GoogleServiceAccountKey = new JsonObject
        {
            ["type"] = "service_account",
            ["client_email"] = "gateway@project.iam.gserviceaccount.com",
            ["private_key_id"] = "google-key-1",
            ["private_key"] = probe.GoogleKey.ExportPkcs8PrivateKeyPem(),
            ["token_uri"] = new Uri(probe.HttpAddress, "/gcp/token").ToString(),
        }.ToJsonString();
        await probe._app.StartAsync();
        return probe;
    }

    /// <summary>Adds or replaces a tool (its definition as the gateway will see it).</summary>
    public void SetTool(string name, string description) =>
        _tools[name] = new Tool
        {
            Name = name,
            Description = description,
            InputSchema = JsonSerializer.SerializeToElement(new { type = "object", properties = new { message = new { type = "string" } } }),
        };

    public void RemoveTool(string name) => _tools.TryRemove(name, out _);

    private CallToolResult Call(RequestContext<CallToolRequestParams> request)
    {
        var http = request.Services!.GetRequiredService<IHttpContextAccessor>().HttpContext!;
        var text = request.Params!.Name switch
        {
            "headers" => new JsonObject
            {
                ["headers"] = new JsonObject([.. http.Request.Headers.Select(header => KeyValuePair.Create(header.Key.ToLowerInvariant(), (JsonNode?)header.Value.ToString()))]),
                ["clientCertificate"] = http.Connection.ClientCertificate?.Subject,
                ["host"] = http.Request.Host.Value,
            }.ToJsonString(),
            _ when _tools.ContainsKey(request.Params.Name) => request.Params.Arguments is { } arguments && arguments.TryGetValue("message", out var message) ? message.ToString() : string.Empty,
            _ => throw new McpProtocolException($"Unknown tool '{request.Params.Name}'.", McpErrorCode.InvalidParams),
        };
        return new CallToolResult { Content = [new TextContentBlock { Text = text }] };
    }

    /// <summary>The HTTP flavour of external authorization: <c>x-authz: allow</c> passes (naming the user), anything else is refused.</summary>
    private IResult HttpAuthz(HttpContext context)
    {
        AuthzChecks.Enqueue(context.Request.Headers.ToDictionary(header => header.Key.ToLowerInvariant(), header => header.Value.ToString(), StringComparer.Ordinal));
        if (context.Request.Headers["x-authz"] == "allow")
        {
            context.Response.Headers["x-authz-user"] = "http-user";
            context.Response.Headers["x-not-forwarded"] = "secret";
            return Results.Ok();
        }

        context.Response.Headers.WWWAuthenticate = "Custom realm=\"authz\"";
        return Results.Text("denied by the HTTP authz test service", statusCode: StatusCodes.Status403Forbidden);
    }

    /// <summary>
    /// Google's JWT-bearer token endpoint: a correctly signed assertion for a target audience gets an identity token,
    /// one for scopes an access token that names them (<c>ya29.</c> and the scopes).
    /// </summary>
    private async Task<IResult> GoogleTokenAsync(HttpContext context)
    {
        var form = await context.Request.ReadFormAsync();
        var handler = new JsonWebTokenHandler();
        var result = await handler.ValidateTokenAsync(form["assertion"].ToString(), new TokenValidationParameters
        {
            ValidIssuer = "gateway@project.iam.gserviceaccount.com",
            ValidAudience = new Uri(HttpAddress, "/gcp/token").ToString(),
            IssuerSigningKey = new RsaSecurityKey(GoogleKey.ExportParameters(false)),
        });
        if (form["grant_type"] != "urn:ietf:params:oauth:grant-type:jwt-bearer" || !result.IsValid)
        {
            return Results.Json(new { error = "invalid_grant" }, statusCode: StatusCodes.Status400BadRequest);
        }

        if (result.Claims.TryGetValue("scope", out var scope) && scope is string scopes)
        {
            Interlocked.Increment(ref _googleAccessTokens);
            return Results.Json(new { access_token = "ya29." + scopes.Replace(' ', ','), expires_in = 3599, token_type = "Bearer" });
        }

        if (!result.Claims.TryGetValue("target_audience", out var target) || target is not string audience)
        {
            return Results.Json(new { error = "invalid_grant" }, statusCode: StatusCodes.Status400BadRequest);
        }

        return Results.Json(new { id_token = Issuer.Token(audience, claims => claims["email"] = "gateway@project.iam.gserviceaccount.com", subject: "google-sa") });
    }

    /// <summary>The metadata server's access token of the machine's service account (only with <c>Metadata-Flavor: Google</c>).</summary>
    private IResult MachineAccessToken(HttpContext context)
    {
        if (context.Request.Headers["Metadata-Flavor"] != "Google")
        {
            return Results.StatusCode(StatusCodes.Status403Forbidden);
        }

        Interlocked.Increment(ref _machineTokens);
        return Results.Json(new { access_token = "machine." + context.Request.Query["scopes"], expires_in = 3599, token_type = "Bearer" });
    }

    /// <summary>The metadata server's identity token of the machine's service account for an audience.</summary>
    private IResult MachineIdentityToken(HttpContext context)
    {
        if (context.Request.Headers["Metadata-Flavor"] != "Google")
        {
            return Results.StatusCode(StatusCodes.Status403Forbidden);
        }

        Interlocked.Increment(ref _machineTokens);
        return Results.Text(Issuer.Token(context.Request.Query["audience"].ToString(), claims => claims["email"] = "machine@project.iam.gserviceaccount.com", subject: "machine-sa"));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        GoogleKey.Dispose();
    }

    /// <summary>The gRPC flavour: <c>x-authz: allow</c> passes and adds a header upstream; anything else is denied with a body.</summary>
    private sealed class ExtAuthzService(ProbeServer probe) : AgentGateway.Contracts.Envoy.Auth.Authorization.AuthorizationBase
    {
        public override Task<CheckResponse> Check(CheckRequest request, ServerCallContext context)
        {
            var headers = request.Attributes.Request.Http.Headers;
            probe.AuthzChecks.Enqueue(new Dictionary<string, string>(headers)
            {
                [":path"] = request.Attributes.Request.Http.Path,
                [":method"] = request.Attributes.Request.Http.Method,
                [":source"] = request.Attributes.Source.Address.SocketAddress.Address,
                [":body"] = request.Attributes.Request.Http.Body,
                [":extension"] = request.Attributes.ContextExtensions.TryGetValue("route", out var extension) ? extension : string.Empty,
            });
            if (headers.TryGetValue("x-authz", out var decision) && decision == "allow")
            {
                var ok = new OkHttpResponse();
                ok.Headers.Add(new HeaderValueOption { Header = new HeaderValue { Key = "x-authz-user", Value = "grpc-user" } });
                return Task.FromResult(new CheckResponse { Status = new AgentGateway.Contracts.Rpc.Status { Code = 0 }, OkResponse = ok });
            }

            return Task.FromResult(new CheckResponse
            {
                Status = new AgentGateway.Contracts.Rpc.Status { Code = 7, Message = "permission denied" },
                DeniedResponse = new DeniedHttpResponse { Status = new HttpStatus { Code = 403 }, Body = "denied by the gRPC authz test service" },
            });
        }
    }
}

/// <summary>One request as the probe's MCP endpoint received it.</summary>
public sealed record ReceivedRequest(IReadOnlyDictionary<string, string> Headers, string? ClientCertificate);
