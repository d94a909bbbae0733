using System.Security.Cryptography;
using AgentGateway.AdminApi.Domain.Secrets;
using Microsoft.Extensions.Options;

namespace AgentGateway.Tests.AdminApi.Domain.Secrets;

public sealed class SecretProtectorTests
{
    private static readonly Guid s_tenant = Guid.NewGuid();

    [Fact]
    public void Ciphertext_DecryptsOnlyForItsOwnTenantAndName()
    {
        var protector = Protector(NewKey());
        var sealedValue = protector.Encrypt(s_tenant, "client-secret", "hunter2");

        Assert.Equal("hunter2", protector.Decrypt(s_tenant, "client-secret", protector.CurrentKeyId, sealedValue));
        Assert.Equal(-1, sealedValue.AsSpan().IndexOf("hunter2"u8));
        Assert.ThrowsAny<CryptographicException>(() => protector.Decrypt(Guid.NewGuid(), "client-secret", protector.CurrentKeyId, sealedValue));
        Assert.ThrowsAny<CryptographicException>(() => protector.Decrypt(s_tenant, "other-secret", protector.CurrentKeyId, sealedValue));

        // Two encryptions of the same value differ (a fresh nonce each time).
        Assert.NotEqual(sealedValue, protector.Encrypt(s_tenant, "client-secret", "hunter2"));
    }

    [Fact]
    public void AfterARotation_PreviousKeysStillDecrypt_AndUnknownKeysAreNamed()
    {
        var oldKey = NewKey();
        var before = Protector(oldKey);
        var sealedValue = before.Encrypt(s_tenant, "token", "value");

        var after = Protector(NewKey(), oldKey);
        Assert.NotEqual(before.CurrentKeyId, after.CurrentKeyId);
        Assert.Equal("value", after.Decrypt(s_tenant, "token", before.CurrentKeyId, sealedValue));

        var forgotten = Protector(NewKey());
        var error = Assert.ThrowsAny<CryptographicException>(() => forgotten.Decrypt(s_tenant, "token", before.CurrentKeyId, sealedValue));
        Assert.Contains(before.CurrentKeyId, error.Message, StringComparison.Ordinal);
        Assert.Contains("Secrets:PreviousMasterKeys", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validator_RefusesMissingOrMalformedKeys_AndSaysHowToMakeOne()
    {
        var validator = new SecretsOptionsValidator();
        Assert.True(validator.Validate(null, new SecretsOptions { MasterKey = NewKey() }).Succeeded);

        var missing = validator.Validate(null, new SecretsOptions());
        Assert.True(missing.Failed);
        Assert.Contains("openssl rand -base64 32", missing.FailureMessage, StringComparison.Ordinal);

        var shortKey = validator.Validate(null, new SecretsOptions { MasterKey = Convert.ToBase64String(new byte[16]), PreviousMasterKeys = ["not base64!"] });
        Assert.Contains("Secrets:MasterKey", shortKey.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Secrets:PreviousMasterKeys:0", shortKey.FailureMessage, StringComparison.Ordinal);
    }

    private static string NewKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    private static SecretProtector Protector(string key, params string[] previous) =>
        new(Options.Create(new SecretsOptions { MasterKey = key, PreviousMasterKeys = [.. previous] }));
}
