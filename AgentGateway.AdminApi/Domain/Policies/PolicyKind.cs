using System.Text.Json;
using AgentGateway.Contracts;
using Google.Protobuf;

namespace AgentGateway.AdminApi.Domain.Policies;

/// <summary>
/// One kind of policy: its name in the API, the proto message its spec is, where it may attach, whether it applies
/// to the caller's side (route policies) or to the backend side (each target), and its validation.
/// </summary>
internal sealed record PolicyKind(
    string Name,
    string Message,
    IReadOnlyList<string> Targets,
    bool IsBackend,
    Func<JsonElement, string, List<ConfigError>, IMessage> Parse,
    Action<IMessage, string, List<ConfigError>> Validate);
