using AgentGateway.Proxy.Upstream.Auth;

namespace AgentGateway.Tests.Proxy.Upstream.Auth;

/// <summary>The SigV4 signer against the published AWS Signature Version 4 test suite (credentials AKIDEXAMPLE).</summary>
public sealed class AwsSigV4SignerTests
{
    private static readonly DateTimeOffset s_time = new(2015, 8, 30, 12, 36, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("https://example.amazonaws.com/", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")]
    [InlineData("https://example.amazonaws.com/?Param2=value2&Param1=value1", "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500")]
    public async Task Sign_MatchesTheTestSuitesSignatures(string url, string signature)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);

        await AwsSigV4Signer.SignAsync(request, "us-east-1", "service", "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", null, s_time, TestContext.Current.CancellationToken);

        Assert.Equal("20150830T123600Z", request.Headers.GetValues("X-Amz-Date").Single());
        Assert.Equal(
            $"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature={signature}",
            request.Headers.GetValues("Authorization").Single());
    }

    [Fact]
    public async Task Sign_WithTemporaryCredentials_SignsTheSessionToken()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "https://lambda.us-east-1.amazonaws.com/2015-03-31/functions/f/invocations")
        {
            Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json"),
        };

        await AwsSigV4Signer.SignAsync(request, "us-east-1", "lambda", "AKID", "secret", "session-token", s_time, TestContext.Current.CancellationToken);

        Assert.Equal("session-token", request.Headers.GetValues("X-Amz-Security-Token").Single());
        Assert.Contains("SignedHeaders=content-type;host;x-amz-date;x-amz-security-token,", request.Headers.GetValues("Authorization").Single(), StringComparison.Ordinal);
    }
}
