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
    private readonly string _root;
    private readonly StringBuilder _output = new();
    private Process _process = null!;

    private PostgresServer(string root, int port, string password)
    {
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
        await File.WriteAllTextAsync(Path.Combine(root, "password"), password, cancellationToken);
        var server = new PostgresServer(root, ServiceProcess.GetFreePort(), password);
        await server.LaunchAsync(cancellationToken);
        return server;
    }

    /// <summary>Kills the server (and its backends) as a crash or a lost machine would; its data stays.</summary>
    public async Task StopAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync(CancellationToken.None);
        }
    }

    /// <summary>Starts the server again on the same data and port, after <see cref="StopAsync"/>.</summary>
    public Task RestartAsync(CancellationToken cancellationToken) => LaunchAsync(cancellationToken);

    private async Task LaunchAsync(CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(ServiceProcess.RepositoryRoot, "AgentGateway.AppHost", "Postgres", "run-postgres.sh"));
        start.ArgumentList.Add(Path.Combine(_root, "data"));
        start.ArgumentList.Add(Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        start.ArgumentList.Add(Path.Combine(_root, "password"));
        var process = new Process { StartInfo = start };
        _process?.Dispose();
        _process = process;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.Start();
        ChildProcesses.Track(process);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await using var connection = new NpgsqlConnection(ConnectionString("postgres"));
                await connection.OpenAsync(cancellationToken);
                return;
            }
            catch (NpgsqlException) when (deadline.Elapsed < TimeSpan.FromSeconds(60) && !process.HasExited)
            {
                await Task.Delay(200, cancellationToken);
            }
            catch (NpgsqlException exception)
            {
                await DisposeAsync();
                throw new InvalidOperationException($"PostgreSQL did not start: {exception.Message}\n{Output}", exception);
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
        await StopAsync();
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
