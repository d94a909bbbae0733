using AgentGateway.Contracts.V1;

namespace AgentGateway.Proxy.Pipeline.Health;

/// <summary>
/// An upstream of a route whose health the gateway keeps (an HTTP destination, an LLM provider): its key in the
/// health registry, what logs call it, and its active probe when the route has one.
/// </summary>
internal sealed record HealthTarget(string Key, string Route, string Name, string Url, HealthProbe? Probe);

/// <summary>
/// How an upstream is probed: the check, what the probe is made with (<paramref name="Signature"/>: a config whose
/// signature differs restarts the probe), its TLS, and each probe's request.
/// </summary>
internal sealed record HealthProbe(ActiveHealthCheck Check, object Signature, BackendTls? Tls, Func<HttpRequestMessage> CreateRequest);
