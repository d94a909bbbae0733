using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace AgentGateway.Tests.Fixtures;

/// <summary>
/// Runs one of the solution's web projects as a real process on a free loopback port (its built output, with its own
/// appsettings), waits until <c>/healthz</c> answers, and kills it on dispose.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private int _disposed;

    private ServiceProcess(Process process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    /// <summary>What the process wrote so far (for failure messages).</summary>
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

    /// <summary>
    /// Starts <paramref name="projectPath"/> (relative to the repository root) on <paramref name="port"/> (a free one
    /// when null), passing configuration as command-line arguments and <paramref name="environment"/> as environment variables.
    /// The port is given as <c>--urls</c>, or, with <paramref name="portInHttpPortsVariable"/>, as <c>ASPNETCORE_HTTP_PORTS</c>
    /// the way the .NET container images give it.
    /// </summary>
    public static async Task<ServiceProcess> StartAsync(
        string projectPath, IReadOnlyDictionary<string, string> configuration, CancellationToken cancellationToken, int? port = null,
        IReadOnlyDictionary<string, string>? environment = null, bool portInHttpPortsVariable = false)
    {
        port ??= GetFreePort();
        var baseAddress = new Uri($"http://127.0.0.1:{port}");
        var projectDirectory = Path.Combine(RepositoryRoot, projectPath);
        var assemblyName = Path.GetFileName(projectPath);
        var buildOutput = Path.Combine(projectDirectory, "bin", BuildConfiguration, "net10.0");
        var assembly = Path.Combine(buildOutput, assemblyName + ".dll");
        if (!File.Exists(assembly))
        {
            throw new InvalidOperationException($"'{assembly}' does not exist; build the solution first.");
        }

        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = buildOutput,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(assembly);
        if (portInHttpPortsVariable)
        {
            start.Environment["ASPNETCORE_HTTP_PORTS"] = port.Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        else
        {
            start.ArgumentList.Add("--urls");
            start.ArgumentList.Add(baseAddress.ToString());
        }

        foreach (var (key, value) in configuration)
        {
            start.ArgumentList.Add($"--{key}={value}");
        }

        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Testing";
        start.Environment.Remove("OTEL_EXPORTER_OTLP_ENDPOINT");
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var service = new ServiceProcess(process, baseAddress);
        process.OutputDataReceived += (_, e) => service.Append(e.Data);
        process.ErrorDataReceived += (_, e) => service.Append(e.Data);
        process.Start();
        ChildProcesses.Track(process);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        try
        {
            await service.WaitUntilHealthyAsync(TimeSpan.FromSeconds(90), cancellationToken);
        }
        catch
        {
            await service.DisposeAsync();
            throw;
        }

        return service;
    }

    /// <summary>Waits until <c>/readyz</c> answers 200 (for the proxy: a config has been applied).</summary>
    public async Task WaitUntilReadyAsync(CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            using (var response = await http.GetAsync(new Uri("/readyz", UriKind.Relative), cancellationToken))
            {
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }

            if (DateTimeOffset.UtcNow > deadline || _process.HasExited)
            {
                throw new TimeoutException($"The service at {BaseAddress} did not become ready:\n{Output}");
            }

            await Task.Delay(100, cancellationToken);
        }
    }

    /// <summary>Whether the process has exited.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>Sends SIGTERM, as an orchestrator does to stop a pod or a service manager a unit.</summary>
    public async Task TerminateAsync(CancellationToken cancellationToken)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { UseShellExecute = false })!;
        await kill.WaitForExitAsync(cancellationToken);
    }

    /// <summary>Waits for the process to exit by itself and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            await _process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"The process did not exit within {timeout}:\n{Output}");
        }

        return _process.ExitCode;
    }

    public static int GetFreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
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

    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>The configuration the tests were built in (Debug or Release), as the services were.</summary>
    public static string BuildConfiguration =>
        new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "AgentGateway.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("The repository root (with AgentGateway.sln) was not found above the test output.");
    }

    private async Task WaitUntilHealthyAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTimeOffset.UtcNow + timeout;
        while (DateTimeOffset.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The process exited with code {_process.ExitCode}:\n{Output}");
            }

            try
            {
                using var response = await http.GetAsync(new Uri("/healthz", UriKind.Relative), cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // Slow first request.
            }

            await Task.Delay(200, cancellationToken);
        }

        throw new TimeoutException($"The service at {BaseAddress} did not become healthy within {timeout}:\n{Output}");
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
