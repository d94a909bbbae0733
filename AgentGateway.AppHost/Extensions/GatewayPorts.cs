using Microsoft.Extensions.Configuration;

namespace AgentGateway.AppHost.Extensions;

/// <summary>The well-known ports of the platform (configuration section <c>Ports</c>), fixed so URLs stay stable.</summary>
internal sealed record GatewayPorts(
    int Proxy, int AdminApi, int AdminApiXds, int Portal, int Identity, int Utils, int Notes, int Postgres, int Models,
    int ProxyManagement, int AdminApiManagement)
{
    public static GatewayPorts From(IConfiguration configuration)
    {
        var section = configuration.GetSection("Ports");
        return new GatewayPorts(
            Read(section, "Proxy", 8080),
            Read(section, "AdminApi", 5080),
            Read(section, "AdminApiXds", 5081),
            Read(section, "Portal", 5090),
            Read(section, "Identity", 5070),
            Read(section, "Utils", 5101),
            Read(section, "Notes", 5102),
            Read(section, "Postgres", 55432),
            Read(section, "Models", 5103),
            Read(section, "ProxyManagement", 15020),
            Read(section, "AdminApiManagement", 5082));
    }

    public static string Url(int port) => $"http://localhost:{port}";

    private static int Read(IConfigurationSection section, string key, int defaultPort)
    {
        var value = section[key];
        if (string.IsNullOrWhiteSpace(value))
        {
            return defaultPort;
        }

        return int.TryParse(value, out var port) && port is > 0 and < 65536
            ? port
            : throw new InvalidOperationException($"Ports:{key} must be a TCP port between 1 and 65535; got '{value}'.");
    }
}
