namespace AgentGateway.AdminApi.ControlPlane.Xds;

/// <summary>Why a route does not reach traffic.</summary>
/// <param name="Source">'control-plane', or 'proxy {node id}'.</param>
/// <param name="PreviousServed">The proxy still serves the route's previous version.</param>
public sealed record RouteProblemResponse(string Source, string Message, bool PreviousServed);
