using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace AgentGateway.Tests.Fixtures;

/// <summary>
/// <c>@modelcontextprotocol/server-everything</c>, the reference MCP server from npm (pinned in tests/node), running
/// in Streamable HTTP mode on a free loopback port.
/// </summary>
public sealed class NodeMcpServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private int _disposed;

    private NodeMcpServer(Process process, int port, string path)
    {
        _process = process;
        Endpoint = new Uri($"http://127.0.0.1:{port}{path}");
    }

    /// <summary>The path to server-everything's entry point (the default mode of which is stdio).</summary>
    public static string EverythingScript => Path.Combine(ServiceProcess.RepositoryRoot, "tests", "node", "node_modules", "@modelcontextprotocol", "server-everything", "dist", "index.js");

    public Uri Endpoint { get; }

    /// <summary>
    /// Starts server-everything on <paramref name="port"/> (a free one when null), in Streamable HTTP mode (<c>/mcp</c>)
    /// or, with <paramref name="legacySse"/>, the HTTP+SSE transport (<c>/sse</c>).
    /// </summary>
    public static async Task<NodeMcpServer> StartEverythingAsync(CancellationToken cancellationToken, int? port = null, bool legacySse = false)
    {
        var script = EverythingScript;
        if (!File.Exists(script))
        {
            throw new InvalidOperationException($"'{script}' is missing: run 'npm ci' in tests/node (.ci/run does).");
        }

        port ??= ServiceProcess.GetFreePort();
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(legacySse ? "sse" : "streamableHttp");
        start.Environment["PORT"] = port.Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var process = new Process { StartInfo = start };
        var server = new NodeMcpServer(process, port.Value, legacySse ? "/sse" : "/mcp");
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
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
                await probe.ConnectAsync("127.0.0.1", port.Value, cancellationToken);
                return server;
            }
            catch (SocketException) when (deadline.Elapsed < TimeSpan.FromSeconds(30) && !process.HasExited)
            {
                await Task.Delay(100, cancellationToken);
            }
            catch (SocketException)
            {
                await server.DisposeAsync();
                throw new InvalidOperationException($"server-everything did not start:\n{server._output}");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

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
