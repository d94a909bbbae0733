using AgentGateway.Contracts.Policies;
using AgentGateway.Contracts.V1;

namespace AgentGateway.Proxy.Upstream.Resilience;

/// <summary>A route's <see cref="RetryPolicy"/>: which answers and failures are tried again, how often, and the wait between.</summary>
internal sealed class RetryRuntime
{
    private static readonly int[] s_defaultStatuses = [502, 503, 504];

    private readonly int[] _statuses;
    private readonly double _baseMs;
    private readonly double _maxMs;

    public RetryRuntime(RetryPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        Attempts = (int)policy.Attempts;
        _statuses = policy.StatusCodes.Count > 0 ? [.. policy.StatusCodes.Select(status => (int)status)] : s_defaultStatuses;
        _baseMs = policy.BackoffBaseMs > 0 ? policy.BackoffBaseMs : 25;
        _maxMs = policy.BackoffMaxMs > 0 ? policy.BackoffMaxMs : Math.Max(250, _baseMs);
        var all = policy.RetryOn.Count == 0;
        OnConnectFailure = all || policy.RetryOn.Contains(PolicyValidator.RetryOnConnectFailure);
        OnReset = all || policy.RetryOn.Contains(PolicyValidator.RetryOnReset);
        OnTimeout = all || policy.RetryOn.Contains(PolicyValidator.RetryOnTimeout);
        AllowNonIdempotent = policy.AllowNonIdempotent;
    }

    /// <summary>Tries after the first.</summary>
    public int Attempts { get; }

    public bool OnConnectFailure { get; }

    public bool OnReset { get; }

    public bool OnTimeout { get; }

    public bool AllowNonIdempotent { get; }

    public bool RetriesStatus(int status) => Array.IndexOf(_statuses, status) >= 0;

    /// <summary>Whether a request with <paramref name="method"/> may be sent more than once.</summary>
    public bool Allows(string method) =>
        AllowNonIdempotent || HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) || HttpMethods.IsPut(method)
        || HttpMethods.IsDelete(method) || HttpMethods.IsTrace(method);

    public bool Retries(TryFailure failure) => failure switch
    {
        TryFailure.ConnectFailure => OnConnectFailure,
        TryFailure.Reset => OnReset,
        TryFailure.Timeout => OnTimeout,
        _ => false,
    };

    /// <summary>The wait before retry <paramref name="retry"/> (1-based): a random time up to min(base * 2^(n-1), max).</summary>
    public TimeSpan Backoff(int retry) => TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * Math.Min(_baseMs * Math.Pow(2, retry - 1), _maxMs));
}

/// <summary>Why one try at a backend failed before its response headers arrived.</summary>
internal enum TryFailure
{
    None,
    ConnectFailure,
    Reset,
    /// <summary>The try's own timeout (backend_request_ms).</summary>
    Timeout,
    /// <summary>The whole request's timeout (request_ms).</summary>
    RequestTimeout,
    Other,
}
