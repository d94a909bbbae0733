using System.Diagnostics;
using System.Text;
using AgentGateway.Tests.Fixtures;

namespace AgentGateway.Tests.Deploy.Fixtures;

/// <summary>What a finished command wrote and how it ended.</summary>
public sealed record CommandResult(int ExitCode, string StandardOutput, string StandardError)
{
    /// <summary>Both streams, for failure messages.</summary>
    public string Output => StandardOutput + StandardError;
}

/// <summary>Runs a command line tool (<c>dotnet</c>, <c>kubectl</c>) to its end from the repository root.</summary>
public static class CommandLine
{
    public static async Task<CommandResult> RunAsync(
        string fileName, IEnumerable<string> arguments, TimeSpan timeout, CancellationToken cancellationToken,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = ServiceProcess.RepositoryRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var output = new StringBuilder();
        var errors = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(errors, e.Data);
        process.Start();
        ChildProcesses.Track(process);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"'{fileName} {string.Join(' ', start.ArgumentList)}' did not end within {timeout}:\n{Text(output)}{Text(errors)}");
        }

        // The asynchronous readers see the end of both streams only after WaitForExit without a timeout.
        await process.WaitForExitAsync(CancellationToken.None);
        return new CommandResult(process.ExitCode, Text(output), Text(errors));

        static void Append(StringBuilder text, string? line)
        {
            if (line is not null)
            {
                lock (text)
                {
                    text.AppendLine(line);
                }
            }
        }

        static string Text(StringBuilder text)
        {
            lock (text)
            {
                return text.ToString();
            }
        }
    }
}
