using AgentGateway.Contracts.V1;
using AgentGateway.Proxy.Limits;
using AgentGateway.Proxy.Pipeline;
using AgentGateway.Proxy.Pipeline.Authentication.Jwt;
using AgentGateway.Tests.Fixtures;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace AgentGateway.Tests.Proxy.Pipeline.Authentication;

/// <summary>
/// The verified-token cache of <see cref="JwtValidator"/>: the same token again is not verified again, but never past
/// the cache time or its expiry, never for another provider instance (a config change) or other audiences.
/// </summary>
public sealed class JwtVerifiedTokenCacheTests : IDisposable
{
    private const string Audience = "cache-tests";

    private readonly TestJwtIssuer _issuer = new();
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly JwtValidator _validator;

    public JwtVerifiedTokenCacheTests()
    {
        var options = Options.Create(new PolicyOptions { JwtCacheTime = TimeSpan.FromMinutes(5) });
        // Inline key sets never reach the HTTP clients the key cache fetches remote ones with.
        var keys = new JwtKeyCache(null!, options, Options.Create(new GatewayLimitsOptions()), _time, NullLogger<JwtKeyCache>.Instance);
        _validator = new JwtValidator(keys, options, _time);
    }

    public void Dispose() => _issuer.Dispose();

    [Fact]
    public async Task SameToken_IsAnsweredFromTheCache_UntilTheCacheTimeRunsOut()
    {
        var provider = Provider(_issuer.Jwks());
        var token = _issuer.Token(Audience);

        var first = await ValidateAsync(token, provider);
        var second = await ValidateAsync(token, provider);
        Assert.True(first.IsValid);
        Assert.Same(first, second);

        _time.Advance(TimeSpan.FromMinutes(6));
        var third = await ValidateAsync(token, provider);
        Assert.True(third.IsValid);
        Assert.NotSame(first, third);
    }

    [Fact]
    public async Task CachedToken_IsNotRememberedPastItsExpiry()
    {
        var provider = Provider(_issuer.Jwks());
        var token = _issuer.Token(Audience, claims => claims["exp"] = DateTimeOffset.UtcNow.AddMinutes(2).ToUnixTimeSeconds());

        var first = await ValidateAsync(token, provider);
        Assert.True(first.IsValid);
        _time.Advance(TimeSpan.FromMinutes(3));
        Assert.NotSame(first, await ValidateAsync(token, provider));
    }

    [Fact]
    public async Task NewProviderInstance_VerifiesAgain_AndRefusesWhatItsKeysDoNotSign()
    {
        var token = _issuer.Token(Audience);
        Assert.True((await ValidateAsync(token, Provider(_issuer.Jwks()))).IsValid);

        // The next config trusts another key only: the token verified under the old config is not taken.
        var rotated = Provider("""{"keys":[]}""");
        var refused = await ValidateAsync(token, rotated);
        Assert.False(refused.IsValid);
    }

    [Fact]
    public async Task OtherAudiences_VerifyAgain()
    {
        var provider = Provider(_issuer.Jwks());
        var token = _issuer.Token(Audience);
        var first = await _validator.ValidateAsync(token, [provider], [Audience], TestContext.Current.CancellationToken);
        Assert.True(first.IsValid);

        var other = await _validator.ValidateAsync(token, [provider], ["someone-else"], TestContext.Current.CancellationToken);
        Assert.False(other.IsValid);
    }

    [Fact]
    public async Task InvalidToken_IsNeverRemembered()
    {
        var provider = Provider(_issuer.Jwks());
        var tampered = TestJwtIssuer.Tampered(_issuer.Token(Audience));
        var first = await ValidateAsync(tampered, provider);
        Assert.False(first.IsValid);
        Assert.NotSame(first, await ValidateAsync(tampered, provider));
    }

    private JwtProvider Provider(string jwks) => new() { Issuer = _issuer.Issuer, Audiences = { Audience }, Jwks = jwks };

    private Task<JwtValidation> ValidateAsync(string token, JwtProvider provider) =>
        _validator.ValidateAsync(token, [provider], null, TestContext.Current.CancellationToken).AsTask();
}
