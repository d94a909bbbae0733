namespace AgentGateway.Tests.AdminApi;

[CollectionDefinition(Name)]
public sealed class ControlPlaneCollection : ICollectionFixture<ControlPlaneFixture>
{
    public const string Name = "Control plane";
}
