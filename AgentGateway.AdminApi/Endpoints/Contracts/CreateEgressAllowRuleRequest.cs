namespace AgentGateway.AdminApi.Endpoints.Contracts;

/// <param name="Cidr">An address range, e.g. 10.1.0.0/16 or 127.0.0.1/32 (give this or host).</param>
/// <param name="Host">An exact host name, e.g. notes.internal (give this or cidr).</param>
/// <param name="Ports">The ports the exception covers; empty or left out covers every port.</param>
public sealed record CreateEgressAllowRuleRequest(string? Cidr, string? Host, List<int>? Ports, string? Description);
