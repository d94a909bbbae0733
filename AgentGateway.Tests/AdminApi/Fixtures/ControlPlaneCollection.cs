namespace AgentGateway.Tests.AdminApi.Fixtures;

[CollectionDefinition(Name)]
public sealed class ControlPlaneCollection : ICollectionFixture<ControlPlaneFixture>
{
    public const string Name = "Control plane";
}
