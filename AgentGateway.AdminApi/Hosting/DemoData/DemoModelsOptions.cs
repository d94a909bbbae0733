namespace AgentGateway.AdminApi.Hosting.DemoData;

/// <summary>An OpenAI-compatible sample model server serving <c>demo-echo</c> and <c>demo-reverse</c>.</summary>
internal sealed class DemoModelsOptions
{
    public string Name { get; set; } = "models";

    /// <summary>Its base URL, below which /chat/completions lives, e.g. http://localhost:5103/v1.</summary>
    public string Url { get; set; } = string.Empty;
}
