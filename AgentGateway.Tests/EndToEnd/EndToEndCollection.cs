namespace AgentGateway.Tests.EndToEnd;

/// <summary>All end-to-end tests share one running AppHost.</summary>
[CollectionDefinition(Name)]
public sealed class EndToEndCollection : ICollectionFixture<AppHostFixture>
{
    public const string Name = "EndToEnd";
}
