using AgentGateway.Portal.Services;

namespace AgentGateway.Portal.Components.Pages.Routes.Form;

/// <summary>A destination of an HTTP route as the route form edits it.</summary>
public sealed class DestinationRow
{
    public string Name { get; set; } = string.Empty;

    public string Url { get; set; } = string.Empty;

    /// <summary>Null takes 1.</summary>
    public int? Weight { get; set; }

    public bool IsBlank => Name.Trim().Length == 0 && Url.Trim().Length == 0;

    public static DestinationRow From(RouteDestination destination) =>
        new() { Name = destination.Name, Url = destination.Url, Weight = destination.Weight is 0 ? null : destination.Weight };

    public RouteDestination ToDestination() => new(Name.Trim(), Url.Trim(), Weight is 0 ? null : Weight);
}
