using AgentGateway.Contracts.Policies;
using AgentGateway.Contracts.V1;
using Google.Protobuf;

namespace AgentGateway.AdminApi.Domain.Policies;

/// <summary>Replaces every <c>secretRef</c> in a spec by the secret's value, as proxies must receive it.</summary>
internal static class SecretInliner
{
    /// <summary>Inlines the secrets of <paramref name="spec"/> in place; returns the first reference that has no value, or null.</summary>
    public static string? Inline(IMessage spec, Func<string, string?> valueOf)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(valueOf);
        foreach (var (_, secret) in PolicyValidator.Secrets(spec).ToList())
        {
            if (secret.SourceCase != SecretValue.SourceOneofCase.SecretRef)
            {
                continue;
            }

            if (valueOf(secret.SecretRef) is not { } value)
            {
                return secret.SecretRef;
            }

            secret.Inline = value;
        }

        return null;
    }
}
