using System.Collections.Concurrent;
using System.Diagnostics;

namespace AgentGateway.Tests.Fixtures;

/// <summary>
/// Every server process the tests start, killed when the test host exits, so that a fixture whose start failed
/// half-way (and is never disposed) leaves nothing running.
/// </summary>
internal static class ChildProcesses
{
    private static readonly ConcurrentDictionary<Process, byte> s_running = new();

    static ChildProcesses() => AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAll();

    public static void Track(Process process)
    {
        s_running[process] = 0;
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => s_running.TryRemove(process, out _);
    }

    private static void KillAll()
    {
        foreach (var process in s_running.Keys)
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // It exited meanwhile.
            }
        }
    }
}
