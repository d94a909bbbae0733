using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace AgentGateway.Tests.Fixtures;

/// <summary>
/// A throw-away PostgreSQL server from the locally installed binaries, started with the same script the AppHost
/// uses, in a temporary data directory on a free port.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _root;
    private readonly StringBuilder _output = new();

    private PostgresServer(Process process, string root, int port, string password)
    {
        _process = process;
        _root = root;
        Port = port;
        Password = password;
    }

    public int Port { get; }

    public string Password { get; }

    /// <summary>A connection string for <paramref name="database"/> (created by whoever connects first with EF migrations).</summary>
    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port};Database={database};Username=postgres;Password={Password};Pooling=false";

    public static async Task<PostgresServer> StartAsync(CancellationToken cancellationToken)
    {
        var root = Path.Combine(Path.GetTempPath(), "agentgateway-pg-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        var password = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        var passwordFile = Path.Combine(root, "password");
        await File.WriteAllTextAsync(passwordFile, password, cancellationToken);
        var port = ServiceProcess.GetFreePort();

        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(ServiceProcess.RepositoryRoot, "AgentGateway.AppHost", "Postgres", "run-postgres.sh"));
        start.ArgumentList.Add(Path.Combine(root, "data"));
        start.ArgumentList.Add(port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        start.ArgumentList.Add(passwordFile);
        var process = new Process { StartInfo = start };
        var server = new PostgresServer(process, root, port, password);
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
                await using var connection = new NpgsqlConnection(server.ConnectionString("postgres"));
                await connection.OpenAsync(cancellationToken);
                return server;
            }
            catch (NpgsqlException) when (deadline.Elapsed < TimeSpan.FromSeconds(60) && !process.HasExited)
            {
                await Task.Delay(200, cancellationToken);
            }
            catch (NpgsqlException exception)
            {
                await server.DisposeAsync();
                throw new InvalidOperationException($"PostgreSQL did not start: {exception.Message}\n{server.Output}", exception);
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
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // The server's last files may still be closing; the temporary directory is cleaned up by the OS.
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
