using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace AgentGateway.Tests.AdminApi.Fixtures;

/// <summary>A self-signed client certificate and its private key, in PEM, made once per test run.</summary>
internal static class Pem
{
    private static readonly Lazy<(string Certificate, string Key)> s_pair = new(() =>
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=agentgateway-test-client", key, HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        return (certificate.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());
    });

    public static string Certificate => s_pair.Value.Certificate;

    public static string Key => s_pair.Value.Key;
}
