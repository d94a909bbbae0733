using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using AgentGateway.Tests.Fixtures;

namespace AgentGateway.Tests.Proxy.Kinds.A2a;

/// <summary>
/// The test agent of tests/node/a2a/agent.mjs, built with the official A2A SDK (v1.0, or its 0.3 release), on a free
/// loopback port: its base URL is <see cref="BaseUrl"/>, its gate (which holds "gated" messages) is released at
/// <see cref="ControlUrl"/>/release.
/// </summary>
public sealed class NodeA2aAgent : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private NodeA2aAgent(Process process, int port)
    {
        _process = process;
        BaseUrl = new Uri($"http://127.0.0.1:{port}/a2a");
        ControlUrl = new Uri($"http://127.0.0.1:{port}/control");
    }

    public static string ScriptDirectory => Path.Combine(ServiceProcess.RepositoryRoot, "tests", "node", "a2a");

    public Uri BaseUrl { get; }

    public Uri ControlUrl { get; }

    public static async Task<NodeA2aAgent> StartAsync(string version, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(Path.Combine(ServiceProcess.RepositoryRoot, "tests", "node", "node_modules", "@a2a-js", "sdk")))
        {
            throw new InvalidOperationException("@a2a-js/sdk is missing: run 'npm ci' in tests/node (.ci/run does).");
        }

        var port = ServiceProcess.GetFreePort();
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(ScriptDirectory, "agent.mjs"));
        start.ArgumentList.Add(version);
        start.ArgumentList.Add(port.ToString(CultureInfo.InvariantCulture));
        var process = new Process { StartInfo = start };
        var agent = new NodeA2aAgent(process, port);
        process.OutputDataReceived += (_, e) => agent.Append(e.Data);
        process.ErrorDataReceived += (_, e) => agent.Append(e.Data);
        process.Start();
        ChildProcesses.Track(process);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync("127.0.0.1", port, cancellationToken);
                return agent;
            }
            catch (SocketException) when (deadline.Elapsed < TimeSpan.FromSeconds(30) && !process.HasExited)
            {
                await Task.Delay(100, cancellationToken);
            }
            catch (SocketException)
            {
                await agent.DisposeAsync();
                throw new InvalidOperationException($"The A2A agent did not start:\n{agent.Output}");
            }
        }
    }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync(CancellationToken.None);
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }
}
