using System.Text.Json.Nodes;
using AgentGateway.Portal.Components.Shared;

namespace AgentGateway.Portal.Components.Pages.Policies.Forms;

/// <summary>A retry spec (<c>RetryPolicy</c>): how many tries, with what backoff, on which failures.</summary>
public sealed class RetryModel : PolicySpecModel
{
    /// <summary>The failures besides statuses a retry may be for.</summary>
    public static readonly string[] Failures = ["connect-failure", "reset", "timeout"];

    private JsonObject _source = [];

    /// <summary>Tries after the first.</summary>
    public int? Attempts { get; set; } = 2;

    public int? BackoffBaseMs { get; set; }

    public int? BackoffMaxMs { get; set; }

    /// <summary>Statuses retried, comma-separated; empty takes 502, 503 and 504.</summary>
    public string StatusCodes { get; set; } = string.Empty;

    /// <summary>The failures retried; none checked takes all three.</summary>
    public HashSet<string> RetryOn { get; } = new(StringComparer.Ordinal);

    public bool AllowNonIdempotent { get; set; }

    public static RetryModel Read(JsonObject? json)
    {
        var model = new RetryModel
        {
            _source = SpecJson.Copy(json),
            Attempts = SpecJson.Number(json, "attempts"),
            BackoffBaseMs = SpecJson.Number(json, "backoffBaseMs"),
            BackoffMaxMs = SpecJson.Number(json, "backoffMaxMs"),
            StatusCodes = TextLists.Join(SpecJson.Numbers(json, "statusCodes").Select(code => code.ToString(System.Globalization.CultureInfo.InvariantCulture))),
            AllowNonIdempotent = SpecJson.Bool(json, "allowNonIdempotent"),
        };
        model.RetryOn.UnionWith(SpecJson.Strings(json, "retryOn"));
        return model;
    }

    public override JsonObject Write()
    {
        var json = SpecJson.Copy(_source);
        SpecJson.Set(json, "attempts", Attempts is 0 ? null : Attempts);
        SpecJson.Set(json, "backoffBaseMs", BackoffBaseMs is 0 ? null : BackoffBaseMs);
        SpecJson.Set(json, "backoffMaxMs", BackoffMaxMs is 0 ? null : BackoffMaxMs);
        SpecJson.SetNumberList(json, "statusCodes", StatusCodes);

        // The known failures in their usual order, then any others the spec named.
        SpecJson.SetStrings(json, "retryOn", [.. Failures.Where(RetryOn.Contains), .. RetryOn.Where(failure => !Failures.Contains(failure)).Order(StringComparer.Ordinal)]);
        SpecJson.Set(json, "allowNonIdempotent", AllowNonIdempotent);
        return json;
    }
}
