using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;
using System.Text.Json.Serialization;
using AgentGateway.AdminApi.Data;
using AgentGateway.AdminApi.Data.Entities;
using AgentGateway.AdminApi.Domain;
using AgentGateway.AdminApi.Domain.Tenants;
using AgentGateway.AdminApi.Endpoints.Contracts;
using AgentGateway.AdminApi.Endpoints.Filters;
using AgentGateway.Contracts.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace AgentGateway.AdminApi.Endpoints;

/// <summary>
/// A tenant's whole config as one document (config as code): exported as YAML or JSON; applied at once, every item
/// through the checks of its own REST endpoint, in one transaction that writes nothing when any item is wrong (the
/// answer names each: <c>routes[2].path</c>); or tried (<c>dryRun</c>) to see what would change, field by field.
/// </summary>
internal static class TenantConfigApi
{
    public const string ApiVersion = "agentgateway.dev/v1";
    public const string Kind = "TenantConfig";

    /// <summary>The largest document taken.</summary>
    public const int MaxDocumentBytes = 4 * 1024 * 1024;

    /// <summary>How many items a document may hold, in all its sections.</summary>
    public const int MaxItems = 2_000;

    private static readonly Lazy<string> s_schema = new(CreateSchema);

    public static IEndpointRouteBuilder MapTenantConfigApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapTenantGroup("/config").WithTags("Config as code");
        api.MapGet("/", Export).WithName("ExportTenantConfig")
            .WithSummary("The tenant's config as one document: YAML with ?format=yaml or Accept: application/yaml, else JSON (secret values never)");
        api.MapPut("/", Apply).WithName("ApplyTenantConfig")
            .WithSummary("Apply a config document (YAML or JSON) at once; ?dryRun=true only says what would change, ?prune=true deletes what a given section does not name (tenant admins and above)")
            .RequireTenantRole(TenantRole.Admin, "apply a tenant's config (tenant admins and above)")
            .ProducesValidationProblem();
        endpoints.MapGet("/api/v1/config-schema", () => Results.Text(s_schema.Value, "application/schema+json"))
            .WithName("GetConfigSchema").WithTags("Config as code").WithSummary("The JSON Schema of a tenant's config document");
        return endpoints;
    }

    /// <summary>The JSON Schema of <see cref="TenantConfigDocument"/> (published at <c>/api/v1/config-schema</c> and in docs/).</summary>
    public static string Schema => s_schema.Value;

    private static async Task<IResult> Export(HttpContext context, TenantGrant grant, string? format, CancellationToken cancellationToken)
    {
        var scope = new ConfigScope(context, grant, cancellationToken);
        var document = new JsonObject
        {
            ["apiVersion"] = ApiVersion,
            ["kind"] = Kind,
            ["tenant"] = grant.Tenant.Name,
            ["settings"] = await TenantConfigSections.ReadSettingsAsync(scope),
        };
        var current = await TenantConfigSections.ReadAsync(scope);
        foreach (var section in TenantConfigSections.All)
        {
            document[section.Key] = new JsonArray([.. current[section.Key].Values.Select(item => (JsonNode)item.DeepClone())]);
        }

        var yaml = string.Equals(format, "yaml", StringComparison.OrdinalIgnoreCase)
            || context.Request.Headers.Accept.Any(accept => accept?.Contains("yaml", StringComparison.OrdinalIgnoreCase) == true);
        return yaml ? Results.Text(YamlJson.Write(document), "application/yaml", Encoding.UTF8) : Results.Text(document.ToJsonString(ConfigJson.Indented), "application/json", Encoding.UTF8);
    }

    private static async Task<Results<Ok<ConfigApplyResponse>, ValidationProblem>> Apply(
        HttpContext context, TenantGrant grant, AdminDbContext db, bool? dryRun, bool? prune, CancellationToken cancellationToken)
    {
        var errors = Validation.Errors();
        var document = await ReadDocumentAsync(context.Request, grant, errors, cancellationToken);
        if (document is null)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var scope = new ConfigScope(context, grant, cancellationToken);
        // Applying holds the config revision's lock throughout, as every change does; a dry run, which writes nothing,
        // holds no lock that other tenants' changes would wait on.
        await using var transaction = dryRun == true
            ? await db.Database.BeginTransactionAsync(cancellationToken)
            : await db.BeginSerializedAsync(cancellationToken);
        var before = await TenantConfigSections.ReadAsync(scope);
        var settingsBefore = await TenantConfigSections.ReadSettingsAsync(scope);
        if (document["settings"] is JsonObject settings)
        {
            var writeSettings = TenantConfigSections.WriteSettings(scope, settings, settingsBefore, out var settingsProblem);
            if (settingsProblem is not null)
            {
                errors["settings"] = [settingsProblem];
            }
            else if (writeSettings is not null)
            {
                await RunAsync(db, transaction, "settings", writeSettings, errors, cancellationToken);
            }
        }

        // Items written with a field no read shows (a secret's value, a stdio server's environment): changed, whatever the reads say.
        var unseen = new HashSet<(string Section, string Name)>();
        foreach (var section in TenantConfigSections.All)
        {
            if (document[section.Key] is not JsonArray items)
            {
                continue;
            }

            for (var index = 0; index < items.Count; index++)
            {
                var item = (JsonObject)items[index]!;
                var name = (string)item["name"]!;
                var path = $"{section.Key}[{index}]";
                var current = before[section.Key].GetValueOrDefault(name);
                var write = section.Write(scope, name, item, current, out var problem);
                if (problem is not null)
                {
                    errors[path] = [problem];
                }
                else if (write is not null)
                {
                    if (await RunAsync(db, transaction, path, write, errors, cancellationToken) && section.Unseen is { } field && item[field] is not null)
                    {
                        unseen.Add((section.Key, name));
                    }
                }
            }
        }

        if (prune == true)
        {
            foreach (var section in TenantConfigSections.All.Reverse())
            {
                if (document[section.Key] is not JsonArray items)
                {
                    continue;
                }

                var named = items.Select(item => (string)item!["name"]!).ToHashSet(StringComparer.Ordinal);
                foreach (var name in before[section.Key].Keys.Where(name => !named.Contains(name)))
                {
                    await RunAsync(db, transaction, $"{section.Key}.{name}", () => section.DeleteAsync(scope, name), errors, cancellationToken);
                }
            }
        }

        if (errors.Count > 0)
        {
            await transaction.RollbackAsync(cancellationToken);
            return TypedResults.ValidationProblem(errors, detail: "Nothing was applied: the document has the errors below.");
        }

        var after = await TenantConfigSections.ReadAsync(scope);
        var changes = Changes(before, after, unseen);
        var settingsChanged = new List<ConfigFieldChange>();
        Compare(string.Empty, settingsBefore, await TenantConfigSections.ReadSettingsAsync(scope), settingsChanged);
        if (settingsChanged.Count > 0)
        {
            changes.Insert(0, new ConfigChange("settings", grant.Tenant.Name, "update", settingsChanged));
        }
        if (dryRun == true || changes.Count == 0)
        {
            await transaction.RollbackAsync(cancellationToken);
            return TypedResults.Ok(new ConfigApplyResponse(dryRun == true, false, null, changes));
        }

        var revision = await db.ConfigRevisions.AsNoTracking().Select(row => row.Revision).SingleAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Ok(new ConfigApplyResponse(false, true, revision, changes));
    }

    /// <summary>
    /// One item's write, in a savepoint of the apply's transaction: its refusal (a validation problem, a conflict, a
    /// forbidden change) goes into <paramref name="errors"/> under <paramref name="path"/> and is undone, so the items
    /// after it are still checked. True when it was written.
    /// </summary>
    private static async Task<bool> RunAsync(
        AdminDbContext db, Microsoft.EntityFrameworkCore.Storage.IDbContextTransaction transaction, string path, Func<Task<IResult>> write,
        Dictionary<string, string[]> errors, CancellationToken cancellationToken)
    {
        const string Savepoint = "config_item";
        await transaction.CreateSavepointAsync(Savepoint, cancellationToken);
        IResult result;
        try
        {
            result = await write();
        }
        catch (DbUpdateException exception) when (exception is not DbUpdateConcurrencyException)
        {
            // The handlers answer the conflicts they know; what the database refuses besides is said without its internals.
            // A row changed meanwhile (a proxy's usage report on the tenant, say) is not the item's fault: the whole
            // apply starts over on the rows as they are (ChangedMeanwhileFilter).
            result = Problems.Conflict("the database refused this item: it conflicts with the tenant's config.");
        }
        catch (JsonException exception)
        {
            result = TypedResults.ValidationProblem(new Dictionary<string, string[]> { [string.Empty] = [$"is not a valid item: {exception.Message}"] });
        }

        switch (result is INestedHttpResult nested ? nested.Result : result)
        {
            case ValidationProblem invalid:
                foreach (var (field, messages) in invalid.ProblemDetails.Errors)
                {
                    errors[field.Length == 0 ? path : $"{path}.{field}"] = messages;
                }

                break;
            case ProblemHttpResult { StatusCode: >= 400 } refused:
                errors[path] = [refused.ProblemDetails.Detail ?? refused.ProblemDetails.Title ?? $"refused ({refused.StatusCode})"];
                break;
            default:
                await transaction.ReleaseSavepointAsync(Savepoint, cancellationToken);
                return true;
        }

        await transaction.RollbackToSavepointAsync(Savepoint, cancellationToken);
        db.ChangeTracker.Clear();
        return false;
    }

    /// <summary>
    /// The request's document, its shape checked: a mapping of the known sections, each a list of items with distinct
    /// names; for this tenant when it names one. Null (with <paramref name="errors"/>) when it is not one.
    /// </summary>
    private static async Task<JsonObject?> ReadDocumentAsync(HttpRequest request, TenantGrant grant, Dictionary<string, string[]> errors, CancellationToken cancellationToken)
    {
        var body = await ReadTextAsync(request, cancellationToken);
        if (body is null)
        {
            errors["document"] = [$"must be at most {MaxDocumentBytes} bytes."];
            return null;
        }

        JsonNode? parsed;
        try
        {
            // YAML is a superset of JSON: one reader takes both.
            parsed = YamlJson.Parse(body);
        }
        catch (FormatException exception)
        {
            errors["document"] = [$"is not valid YAML or JSON: {exception.Message}."];
            return null;
        }

        if (parsed is not JsonObject document)
        {
            errors["document"] = ["must be a mapping of apiVersion, kind, tenant and the config's sections."];
            return null;
        }

        var known = TenantConfigSections.All.Select(section => section.Key).Concat(["apiVersion", "kind", "tenant", "settings"]).ToHashSet(StringComparer.Ordinal);
        foreach (var (key, _) in document.Where(field => !known.Contains(field.Key)))
        {
            errors[key] = [$"is not a section of a tenant's config (sections: {string.Join(", ", TenantConfigSections.All.Select(section => section.Key))})."];
        }

        if (TenantConfigSections.All.Sum(section => (document[section.Key] as JsonArray)?.Count ?? 0) > MaxItems)
        {
            errors["document"] = [$"must hold at most {MaxItems} items; apply a larger config in parts (sections left out are not touched)."];
        }

        Expect(document, "apiVersion", ApiVersion, errors);
        Expect(document, "kind", Kind, errors);
        Expect(document, "tenant", grant.Tenant.Name, errors);
        if (document["settings"] is { } settings and not JsonObject)
        {
            errors["settings"] = ["must be a mapping of the tenant's settings."];
        }

        foreach (var section in TenantConfigSections.All)
        {
            switch (document[section.Key])
            {
                case null:
                    break;
                case JsonArray items:
                    var names = new HashSet<string>(StringComparer.Ordinal);
                    for (var index = 0; index < items.Count; index++)
                    {
                        if (items[index] is not JsonObject item || item["name"] is not JsonValue value || !value.TryGetValue<string>(out var name) || name.Length == 0)
                        {
                            errors[$"{section.Key}[{index}]"] = ["must be a mapping with a name."];
                        }
                        else if (!names.Add(name))
                        {
                            errors[$"{section.Key}[{index}].name"] = [$"'{name}' is named twice in {section.Key}."];
                        }
                    }

                    break;
                default:
                    errors[section.Key] = ["must be a list of items."];
                    break;
            }
        }

        return errors.Count == 0 ? document : null;
    }

    /// <summary>The request body as text; null when it is larger than <see cref="MaxDocumentBytes"/>.</summary>
    private static async Task<string?> ReadTextAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        // The body stays open: a request that starts over reads it again (ChangedMeanwhileFilter).
        using var reader = new StreamReader(request.Body, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, leaveOpen: true);
        var text = new StringBuilder();
        var buffer = new char[16 * 1024];
        int read;
        while ((read = await reader.ReadAsync(buffer, cancellationToken)) > 0)
        {
            text.Append(buffer, 0, read);
            if (text.Length > MaxDocumentBytes)
            {
                return null;
            }
        }

        return text.ToString();
    }

    private static void Expect(JsonObject document, string key, string expected, Dictionary<string, string[]> errors)
    {
        if (document[key] is { } given && (given is not JsonValue value || !value.TryGetValue<string>(out var text) || text != expected))
        {
            errors[key] = [key == "tenant" ? $"names another tenant: this document is applied to '{expected}'." : $"must be '{expected}'."];
        }
    }

    /// <summary>What changed between two reads of the tenant's config, section by section in the order they apply.</summary>
    private static List<ConfigChange> Changes(
        Dictionary<string, SortedDictionary<string, JsonObject>> before, Dictionary<string, SortedDictionary<string, JsonObject>> after,
        HashSet<(string Section, string Name)> unseen)
    {
        var changes = new List<ConfigChange>();
        foreach (var section in TenantConfigSections.All)
        {
            var (old, current) = (before[section.Key], after[section.Key]);
            foreach (var name in old.Keys.Union(current.Keys).Order(StringComparer.Ordinal))
            {
                var fields = new List<ConfigFieldChange>();
                if (!old.TryGetValue(name, out var was))
                {
                    changes.Add(new ConfigChange(section.Key, name, "create", fields));
                    continue;
                }

                if (!current.TryGetValue(name, out var now))
                {
                    changes.Add(new ConfigChange(section.Key, name, "delete", fields));
                    continue;
                }

                Compare(string.Empty, was, now, fields);
                if (unseen.Contains((section.Key, name)))
                {
                    fields.Add(new ConfigFieldChange(section.Unseen!, null, "(replaced)"));
                }

                if (fields.Count > 0)
                {
                    changes.Add(new ConfigChange(section.Key, name, "update", fields));
                }
            }
        }

        return changes;
    }

    /// <summary>The fields where <paramref name="before"/> and <paramref name="after"/> differ, by path.</summary>
    private static void Compare(string path, JsonNode? before, JsonNode? after, List<ConfigFieldChange> fields)
    {
        if (JsonNode.DeepEquals(before, after))
        {
            return;
        }

        if (before is JsonObject was && after is JsonObject now)
        {
            foreach (var key in was.Select(field => field.Key).Union(now.Select(field => field.Key)).Order(StringComparer.Ordinal))
            {
                Compare(path.Length == 0 ? key : $"{path}.{key}", was[key], now[key], fields);
            }

            return;
        }

        if (before is JsonArray list && after is JsonArray other && list.Count == other.Count)
        {
            for (var index = 0; index < list.Count; index++)
            {
                Compare($"{path}[{index}]", list[index], other[index], fields);
            }

            return;
        }

        fields.Add(new ConfigFieldChange(path, before?.DeepClone(), after?.DeepClone()));
    }

    private static string CreateSchema()
    {
        var options = new JsonSerializerOptions(JsonSerializerOptions.Web)
        {
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        };
        var schema = options.GetJsonSchemaAsNode(typeof(TenantConfigDocument), new JsonSchemaExporterOptions { TreatNullObliviousAsNonNullable = true });
        var root = new JsonObject
        {
            ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
            ["$id"] = "https://agentgateway.dev/schemas/tenant-config.schema.json",
            ["title"] = "AgentGateway tenant config",
            ["description"] = "A tenant's whole config (GET/PUT /api/v1/tenants/{tenant}/config): each section's items are the bodies its REST endpoint takes.",
        };
        foreach (var (key, value) in (JsonObject)schema)
        {
            root[key] = value?.DeepClone();
        }

        // The exporter calls every constructor parameter without a default required; the API requires fields item by
        // item (its 400s say which), so the schema asks only for each item's name.
        RemoveRequired(root);
        foreach (var section in TenantConfigSections.All)
        {
            root["properties"]![section.Key]!["items"]!["required"] = new JsonArray("name");
        }

        return root.ToJsonString(ConfigJson.Indented) + "\n";
    }

    private static void RemoveRequired(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject map:
                map.Remove("required");
                foreach (var (_, value) in map)
                {
                    RemoveRequired(value);
                }

                break;
            case JsonArray list:
                foreach (var item in list)
                {
                    RemoveRequired(item);
                }

                break;
        }
    }
}
