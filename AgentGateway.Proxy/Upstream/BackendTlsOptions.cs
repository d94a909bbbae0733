using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using AgentGateway.Contracts.V1;

namespace AgentGateway.Proxy.Upstream;

/// <summary>Turns a route's <see cref="BackendTls"/> into the TLS settings of the connections to that backend.</summary>
internal static class BackendTlsOptions
{
    public static SslClientAuthenticationOptions Create(BackendTls tls)
    {
        ArgumentNullException.ThrowIfNull(tls);
        var options = new SslClientAuthenticationOptions();
        if (tls.ClientCertificatePem.Length > 0 && tls.ClientKeyPem is { SourceCase: SecretValue.SourceOneofCase.Inline } key)
        {
            options.ClientCertificates = [X509Certificate2.CreateFromPem(tls.ClientCertificatePem, key.Inline)];
            options.LocalCertificateSelectionCallback = (_, _, certificates, _, _) => certificates[0];
        }

        if (tls.InsecureSkipVerify)
        {
            options.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        }
        else if (tls.CaPem.Length > 0)
        {
            var authorities = new X509Certificate2Collection();
            authorities.ImportFromPem(tls.CaPem);
            options.RemoteCertificateValidationCallback = (_, certificate, _, errors) => Trusts(authorities, certificate, errors);
        }

        return options;
    }

    /// <summary>A certificate is trusted when it names the server and chains to one of <paramref name="authorities"/>.</summary>
    private static bool Trusts(X509Certificate2Collection authorities, X509Certificate? certificate, SslPolicyErrors errors)
    {
        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch) || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var leaf = new X509Certificate2(certificate);
        return chain.Build(leaf);
    }
}
