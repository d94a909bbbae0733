using System.Diagnostics;

namespace AgentGateway.AppHost.Extensions;

/// <summary>Finds out, within a few seconds, whether a container runtime (Docker or Podman) is running.</summary>
internal static class ContainerRuntime
{
    public static bool IsHealthy(TimeSpan timeout) => Answers("docker", timeout) || Answers("podman", timeout);

    private static bool Answers(string command, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(command)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("info");

        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false; // not installed
        }

        using (process)
        {
            // Drain the output so a chatty client cannot block on a full pipe.
            _ = process.StandardOutput.ReadToEndAsync();
            _ = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(timeout))
            {
                process.Kill(entireProcessTree: true);
                return false;
            }

            return process.ExitCode == 0;
        }
    }
}
