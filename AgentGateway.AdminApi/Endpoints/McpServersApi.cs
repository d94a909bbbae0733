using System.Security.Claims;
using System.Text.Json;
using AgentGateway.AdminApi.Data;
using AgentGateway.AdminApi.Data.Entities;
using AgentGateway.AdminApi.Domain;
using AgentGateway.AdminApi.Domain.Egress;
using AgentGateway.AdminApi.Domain.Identity;
using AgentGateway.AdminApi.Domain.Mcp;
using AgentGateway.AdminApi.Domain.Policies;
using AgentGateway.AdminApi.Domain.Tenants;
using AgentGateway.AdminApi.Endpoints.Contracts;
using AgentGateway.AdminApi.Endpoints.Filters;
using AgentGateway.Contracts.Policies.Kinds;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace AgentGateway.AdminApi.Endpoints;

/// <summary>The MCP servers a tenant registers, for its routes to federate.</summary>
internal static class McpServersApi
{
    /// <summary>The MCP server the path names.</summary>
    private static readonly TenantItem s_server = new("MCP server", "server", (db, tenantId, name, cancellationToken) =>
        db.McpServers.AnyAsync(server => server.TenantId == tenantId && server.Name == name, cancellationToken));

    public static IEndpointRouteBuilder MapMcpServersApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapTenantGroup("/mcp-servers").WithTags("MCP servers");
        api.MapGet("/", ListServers).WithName("ListMcpServers").WithSummary("The tenant's MCP servers");
        api.MapPost("/", CreateServer).WithName("CreateMcpServer").WithSummary("Register an MCP server")
            .RequireTenantRole(TenantRole.Developer, "register MCP servers (developers and above)");
        api.MapPost("/import", ImportServer).WithName("ImportMcpServer")
            .WithSummary("Register an MCP server from its MCP registry description (server.json), given or fetched from a registry the platform trusts; dryRun answers what would be registered")
            .RequireTenantRole(TenantRole.Developer, "register MCP servers (developers and above)");
        api.MapGet("/{server}", GetServer).WithName("GetMcpServer").WithSummary("One MCP server");
        api.MapPut("/{server}", UpdateServer).WithName("UpdateMcpServer").WithSummary("Change an MCP server (honours If-Match)")
            .RequireTenantRole(TenantRole.Developer, "change MCP servers (developers and above)", s_server);
        api.MapDelete("/{server}", DeleteServer).WithName("DeleteMcpServer").WithSummary("Delete an MCP server no route uses")
            .RequireTenantRole(TenantRole.Developer, "delete MCP servers (developers and above)", s_server);
        return endpoints;
    }

    internal static async Task<Ok<List<McpServerResponse>>> ListServers(TenantGrant grant, AdminDbContext db, CancellationToken cancellationToken)
    {
        var servers = await db.McpServers.AsNoTracking().Where(server => server.TenantId == grant.Tenant.Id)
            .OrderBy(server => server.Name).ToListAsync(cancellationToken);
        return TypedResults.Ok(servers.Select(ToResponse).ToList());
    }

    internal static async Task<Results<Created<McpServerResponse>, ValidationProblem, ProblemHttpResult>> CreateServer(
        string tenant, CreateMcpServerRequest request, ClaimsPrincipal user, TenantGrant grant, AdminDbContext db, EgressGuard egress,
        TimeProvider time, CancellationToken cancellationToken)
    {
        var transport = request.Transport ?? Validation.StreamableHttpTransport;
        if (transport == Validation.StdioTransport && !Caller.From(user).IsPlatformAdmin)
        {
            return Problems.Forbidden("define stdio servers, which run a process on every proxy (platform admins only)");
        }

        var errors = Validation.Errors();
        Validation.Name(errors, "name", request.Name);
        await ValidateBodyAsync(
            errors, egress, transport, new(request.Description, request.Url, request.Headers, request.Command, request.Args, request.Env, request.WorkingDirectory),
            cancellationToken);

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        if (await db.McpServers.AnyAsync(server => server.TenantId == grant.Tenant.Id && server.Name == request.Name, cancellationToken))
        {
            return Problems.Conflict($"Tenant '{tenant}' already has an MCP server named '{request.Name}'.");
        }

        var now = time.GetUtcNow();
        var server = new McpServer
        {
            Id = Guid.CreateVersion7(),
            TenantId = grant.Tenant.Id,
            Name = request.Name!,
            Description = request.Description,
            Transport = transport,
            Url = transport == Validation.StdioTransport ? string.Empty : request.Url!,
            Headers = request.Headers ?? [],
            Command = transport == Validation.StdioTransport ? request.Command : null,
            Args = transport == Validation.StdioTransport ? request.Args ?? [] : [],
            Env = transport == Validation.StdioTransport ? request.Env ?? [] : [],
            WorkingDirectory = transport == Validation.StdioTransport ? request.WorkingDirectory : null,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.McpServers.Add(server);
        try
        {
            await db.SaveConfigChangesAsync(cancellationToken);
        }
        catch (DbUpdateException exception) when (DatabaseErrors.IsUniqueViolation(exception))
        {
            return Problems.Conflict($"Tenant '{tenant}' already has an MCP server named '{request.Name}'.");
        }

        return TypedResults.Created($"/api/v1/tenants/{tenant}/mcp-servers/{server.Name}", ToResponse(server));
    }

    /// <param name="dryRun">Answer the server the import would register (200), registering nothing.</param>
    private static async Task<Results<Created<McpServerResponse>, Ok<CreateMcpServerRequest>, ValidationProblem, ProblemHttpResult>> ImportServer(
        string tenant, ImportMcpServerRequest request, bool? dryRun, ClaimsPrincipal user, TenantGrant grant, AdminDbContext db, EgressGuard egress,
        McpRegistryClient registry, TimeProvider time, CancellationToken cancellationToken)
    {
        var errors = Validation.Errors();
        JsonElement server;
        if (request.Server is { ValueKind: not (JsonValueKind.Null or JsonValueKind.Undefined) } given)
        {
            server = given;
        }
        else if (request.RegistryName is { Length: > 0 } registryName)
        {
            var answer = await registry.GetAsync(request.Registry, registryName, request.Version, cancellationToken);
            if (answer.Field is { } field)
            {
                errors[field] = [answer.Message!];
                return TypedResults.ValidationProblem(errors);
            }

            if (answer.Server is not { } fetched)
            {
                return TypedResults.Problem(answer.Message, statusCode: answer.Status);
            }

            server = fetched;
        }
        else
        {
            errors["server"] = ["is required: the server's registry description (server.json), or its registryName."];
            return TypedResults.ValidationProblem(errors);
        }

        if (RegistryServers.Map(server, request, errors) is not { } imported || errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var create = new CreateMcpServerRequest(
            imported.Name, imported.Description, imported.Transport, imported.Url, imported.Headers, imported.Command, imported.Args, imported.Env);
        if (dryRun == true)
        {
            return TypedResults.Ok(create);
        }

        return (await CreateServer(tenant, create, user, grant, db, egress, time, cancellationToken)).Result switch
        {
            Created<McpServerResponse> created => created,
            ValidationProblem invalid => invalid,
            ProblemHttpResult problem => problem,
            var other => throw new InvalidOperationException($"Unexpected result {other.GetType().Name}."),
        };
    }

    private static async Task<Results<Ok<McpServerResponse>, ProblemHttpResult>> GetServer(
        string server, TenantGrant grant, AdminDbContext db, CancellationToken cancellationToken)
    {
        var entity = await FindAsync(db.McpServers.AsNoTracking(), grant, server, cancellationToken);
        if (entity is null)
        {
            return Problems.NotFound("MCP server", server);
        }

        return TypedResults.Ok(ToResponse(entity));
    }

    internal static async Task<Results<Ok<McpServerResponse>, ValidationProblem, ProblemHttpResult>> UpdateServer(
        string server, UpdateMcpServerRequest request, ClaimsPrincipal user, TenantGrant grant, AdminDbContext db, EgressGuard egress, HttpContext context,
        TimeProvider time, CancellationToken cancellationToken)
    {
        var entity = await FindAsync(db.McpServers, grant, server, cancellationToken);
        if (entity is null)
        {
            return Problems.NotFound("MCP server", server);
        }

        var transport = request.Transport ?? Validation.StreamableHttpTransport;
        if ((transport == Validation.StdioTransport || entity.Transport == Validation.StdioTransport) && !Caller.From(user).IsPlatformAdmin)
        {
            return Problems.Forbidden("change stdio servers, which run a process on every proxy (platform admins only)");
        }

        var errors = Validation.Errors();
        await ValidateBodyAsync(
            errors, egress, transport, new(request.Description, request.Url, request.Headers, request.Command, request.Args, request.Env, request.WorkingDirectory),
            cancellationToken);

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        if (ETags.CheckIfMatch(context.Request, entity.Version) is { } preconditionFailed)
        {
            return preconditionFailed;
        }

        entity.Description = request.Description;
        entity.Transport = transport;
        entity.Url = transport == Validation.StdioTransport ? string.Empty : request.Url!;
        entity.Headers = request.Headers ?? [];
        entity.Command = transport == Validation.StdioTransport ? request.Command : null;
        entity.Args = transport == Validation.StdioTransport ? request.Args ?? [] : [];
        entity.Env = transport == Validation.StdioTransport ? request.Env ?? [] : [];
        entity.WorkingDirectory = transport == Validation.StdioTransport ? request.WorkingDirectory : null;
        entity.UpdatedAt = time.GetUtcNow();
        await db.SaveConfigChangesAsync(cancellationToken);

        return TypedResults.Ok(ToResponse(entity));
    }

    internal static async Task<Results<NoContent, ProblemHttpResult>> DeleteServer(
        string server, TenantGrant grant, AdminDbContext db, CancellationToken cancellationToken)
    {
        var entity = await FindAsync(db.McpServers, grant, server, cancellationToken);
        if (entity is null)
        {
            return Problems.NotFound("MCP server", server);
        }

        var usedBy = await db.RouteTargets.Where(target => target.McpServerId == entity.Id)
            .Select(target => target.Route!.Name).OrderBy(name => name).ToListAsync(cancellationToken);
        if (usedBy.Count > 0)
        {
            return Problems.Conflict($"MCP server '{server}' is a target of route(s) {string.Join(", ", usedBy.Select(name => $"'{name}'"))}; remove it from them first.");
        }

        var policies = await PolicyAttachments.AttachedToAsync(db, grant.Tenant.Id, PolicyTargets.McpServer, entity.Name, cancellationToken);
        if (policies.Count > 0)
        {
            return Problems.Conflict($"MCP server '{server}' has polic{(policies.Count == 1 ? "y" : "ies")} {string.Join(", ", policies.Select(name => $"'{name}'"))} attached; delete them or attach them elsewhere first.");
        }

        db.McpServers.Remove(entity);
        await db.SaveConfigChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private static Task<McpServer?> FindAsync(IQueryable<McpServer> servers, TenantGrant grant, string name, CancellationToken cancellationToken) =>
        servers.SingleOrDefaultAsync(candidate => candidate.TenantId == grant.Tenant.Id && candidate.Name == name, cancellationToken);

    /// <summary>The fields of a server that create and update both take.</summary>
    private readonly record struct ServerBody(
        string? Description, string? Url, Dictionary<string, string>? Headers, string? Command, List<string>? Args,
        Dictionary<string, string>? Env, string? WorkingDirectory);

    private static async Task ValidateBodyAsync(
        Dictionary<string, string[]> errors, EgressGuard egress, string? transport, ServerBody body, CancellationToken cancellationToken)
    {
        if (body.Description is { Length: > 1000 })
        {
            errors["description"] = ["must be at most 1000 characters."];
        }

        Validation.Transport(errors, transport);
        Validation.Headers(errors, body.Headers);
        if (transport == Validation.StdioTransport)
        {
            Validation.Stdio(errors, body.Command, body.Args, body.Env, body.WorkingDirectory);
            return;
        }

        Validation.Url(errors, body.Url);
        if (!errors.ContainsKey("url"))
        {
            await egress.CheckAsync([("url", body.Url!)], errors, cancellationToken);
        }
    }

    internal static McpServerResponse ToResponse(McpServer server) => new(
        server.Name,
        server.Description,
        server.Transport,
        server.Url,
        server.Headers,
        server.Command,
        server.Args,
        [.. server.Env.Keys.Order(StringComparer.Ordinal)],
        server.WorkingDirectory,
        server.CreatedAt,
        server.UpdatedAt,
        server.Version.ToString(System.Globalization.CultureInfo.InvariantCulture));
}
