using AgentGateway.Portal.Services;

namespace AgentGateway.Portal.Components.Pages.Routes.Form;

/// <summary>
/// One target of a model of an LLM route as the route form edits it: the rows that share a model name are that
/// model's targets, in their order.
/// </summary>
public sealed class LlmModelRow
{
    /// <summary>What clients send as "model".</summary>
    public string Model { get; set; } = string.Empty;

    public string? Provider { get; set; }

    /// <summary>The provider's name for the model; empty: the model's own name.</summary>
    public string ProviderModel { get; set; } = string.Empty;

    /// <summary>Null takes 1.</summary>
    public int? Weight { get; set; }

    /// <summary>Lower first; null takes 0.</summary>
    public int? Priority { get; set; }

    public bool IsBlank => Model.Trim().Length == 0 && ProviderModel.Trim().Length == 0;

    public RouteLlmTarget ToTarget() => new(
        Provider ?? string.Empty, ProviderModel.Trim().Length == 0 ? null : ProviderModel.Trim(), Weight is 0 ? null : Weight, Priority is 0 ? null : Priority);

    /// <summary>A route's models as rows, one per target.</summary>
    public static IEnumerable<LlmModelRow> From(RouteLlmModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.Targets.Select(target => new LlmModelRow
        {
            Model = model.Name,
            Provider = target.Provider,
            ProviderModel = target.Model ?? string.Empty,
            Weight = target.Weight is 0 or 1 ? null : target.Weight,
            Priority = target.Priority is 0 ? null : target.Priority,
        });
    }

    /// <summary>
    /// The rows as AdminApi's models, each with the field path of every row (<c>models[i].targets[j]</c>) for its
    /// errors; blank rows are left out.
    /// </summary>
    public static (List<RouteLlmModel> Models, Dictionary<LlmModelRow, string> Fields) Group(IEnumerable<LlmModelRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var models = new List<(string Name, List<LlmModelRow> Rows)>();
        foreach (var row in rows.Where(row => !row.IsBlank))
        {
            var name = row.Model.Trim();
            if (models.FindIndex(model => model.Name == name) is var index and >= 0)
            {
                models[index].Rows.Add(row);
            }
            else
            {
                models.Add((name, [row]));
            }
        }

        var fields = new Dictionary<LlmModelRow, string>();
        for (var index = 0; index < models.Count; index++)
        {
            for (var target = 0; target < models[index].Rows.Count; target++)
            {
                fields[models[index].Rows[target]] = $"models[{index}].targets[{target}]";
            }
        }

        return ([.. models.Select(model => new RouteLlmModel(model.Name, [.. model.Rows.Select(row => row.ToTarget())]))], fields);
    }
}
