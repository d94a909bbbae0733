using System.Text.Json;
using System.Text.Json.Serialization;

namespace AgentGateway.Tests.Fixtures;

/// <summary>A proxy in standalone mode, serving a config the test writes as an object (JSON, which the file format reads), ready once applied.</summary>
public sealed class StandaloneProxy : IAsyncDisposable
{
    private static readonly JsonSerializerOptions s_json = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, WriteIndented = true };

    private readonly string _directory;

    private StandaloneProxy(string directory, ServiceProcess process)
    {
        _directory = directory;
        Process = process;
    }

    public ServiceProcess Process { get; }

    public Uri BaseAddress => Process.BaseAddress;

    /// <summary>The config file the proxy watches.</summary>
    public string ConfigFile => Path.Combine(_directory, "gateway.yaml");

    /// <summary>Replaces the config file (the proxy reloads it; a bad one is logged and the running config stays).</summary>
    public Task WriteConfigAsync(object config, CancellationToken cancellationToken) =>
        File.WriteAllTextAsync(ConfigFile, config as string ?? JsonSerializer.Serialize(config, s_json), cancellationToken);

    /// <summary>What the proxy logged so far.</summary>
    public string Output => Process.Output;

    /// <param name="config">The file's content: <c>routes</c>, <c>sessionKeys</c>, <c>egress</c> (or YAML text).</param>
    /// <param name="settings">Proxy settings besides the config file (e.g. <c>Policies:...</c>).</param>
    /// <param name="environment">Environment variables of the proxy's process.</param>
    public static async Task<StandaloneProxy> StartAsync(
        object config, CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? settings = null, int? port = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var directory = Path.Combine(Path.GetTempPath(), "agentgateway-proxy-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var file = Path.Combine(directory, "gateway.yaml");
        await File.WriteAllTextAsync(file, config as string ?? JsonSerializer.Serialize(config, s_json), cancellationToken);
        var configuration = new Dictionary<string, string>(settings ?? new Dictionary<string, string>()) { ["Gateway:ConfigFile"] = file };
        var process = await ServiceProcess.StartAsync("AgentGateway.Proxy", configuration, cancellationToken, port, environment);
        try
        {
            await process.WaitUntilReadyAsync(cancellationToken);
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }

        return new StandaloneProxy(directory, process);
    }

    public async ValueTask DisposeAsync()
    {
        await Process.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }
}
