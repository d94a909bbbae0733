namespace AgentGateway.AdminApi.ControlPlane.Xds;

/// <summary>Whether a route reaches traffic.</summary>
/// <param name="State">
/// 'served' (every proxy connected to this AdminApi replica serves it), 'pending' (the change has not reached the
/// proxies' config yet) or 'refused' (the control plane left it out, or a proxy refused it: see problems).
/// </param>
public sealed record RouteStatusResponse(string State, IReadOnlyList<RouteProblemResponse> Problems);
