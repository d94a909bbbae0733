namespace AgentGateway.Proxy.Pipeline.Forwarding;

/// <summary>Where <see cref="HttpForwarding"/> sends each try of a request, and what it learns from how tries went.</summary>
internal abstract class ForwardDestinations
{
    /// <summary>The destination of the next try, or null when none may take requests.</summary>
    public abstract ForwardDestination? Pick();

    /// <summary>Records a try's outcome (failed: no answer, a timeout or a 5xx answer).</summary>
    public virtual void Report(ForwardDestination destination, bool failed)
    {
    }

    /// <summary>Always the same destination (e.g. an A2A agent), named in logs and errors as <paramref name="name"/>.</summary>
    public static ForwardDestinations Fixed(string name, string url) => new FixedDestination(new ForwardDestination(name, url));

    private sealed class FixedDestination(ForwardDestination destination) : ForwardDestinations
    {
        public override ForwardDestination? Pick() => destination;
    }
}

/// <summary>One destination: its name (for logs) and base URL.</summary>
internal sealed record ForwardDestination(string Name, string Url);
