using System.Net;
using System.Text;
using AgentGateway.Portal.Services;

namespace AgentGateway.Tests.Portal;

/// <summary>AdminApi's refusals reach the Portal's pages with their reasons, never as a bare status.</summary>
public sealed class AdminApiErrorTests
{
    [Fact]
    public async Task ValidationProblem_CarriesTitleAndFieldErrors()
    {
        using var response = Problem(HttpStatusCode.BadRequest, """
            {"type":"https://tools.ietf.org/html/rfc9110#section-15.5.1","title":"One or more validation errors occurred.","status":400,
             "errors":{"name":["'Bad' is not a valid name."],"url":["must be an absolute http or https URL."]}}
            """);

        var error = await AdminApiClient.ToExceptionAsync(response, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, error.Status);
        Assert.Equal("One or more validation errors occurred.", error.Title);
        Assert.Equal("'Bad' is not a valid name.", error.ErrorFor("name"));
        Assert.Equal("must be an absolute http or https URL.", error.ErrorFor("url"));
        Assert.Null(error.ErrorFor("description"));
    }

    [Fact]
    public async Task SpecErrors_AreFoundUnderTheFieldTheyAreIn()
    {
        using var response = Problem(HttpStatusCode.BadRequest, """
            {"title":"One or more validation errors occurred.","status":400,
             "errors":{"spec.providers[0].jwksUri":["must be an absolute http(s) URL."],"spec.header.value.secretRef":["names no secret."],
                       "specification":["is not a field."],"name":["is required."]}}
            """);

        var error = await AdminApiClient.ToExceptionAsync(response, TestContext.Current.CancellationToken);

        Assert.Equal(["spec.header.value.secretRef", "spec.providers[0].jwksUri"], error.ErrorsUnder("spec").Select(field => field.Key).Order(StringComparer.Ordinal));
        Assert.Equal("must be an absolute http(s) URL.", error.ErrorUnder("spec.providers[0].jwksUri"));
        Assert.Equal("secretRef: names no secret.", error.ErrorUnder("spec.header.value"));
        Assert.Null(error.ErrorUnder("spec.providers[1]"));
        Assert.Null(error.ErrorUnder("spec.header.val"));
    }

    [Fact]
    public void Unreachable_IsAProblemToShow()
    {
        var error = AdminApiClient.Unreachable(new HttpRequestException("Connection refused (localhost:5080)"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, error.Status);
        Assert.Equal("AdminApi is unreachable", error.Title);
        Assert.Contains("Connection refused", error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConflictProblem_CarriesDetail()
    {
        using var response = Problem(HttpStatusCode.Conflict, """{"title":"Conflict","status":409,"detail":"MCP server 'utils' is a target of route(s) 'mcp'."}""");

        var error = await AdminApiClient.ToExceptionAsync(response, TestContext.Current.CancellationToken);

        Assert.Equal("Conflict", error.Title);
        Assert.Equal("MCP server 'utils' is a target of route(s) 'mcp'.", error.Detail);
        Assert.Contains("route(s) 'mcp'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NonJsonFailure_KeepsTheBodyAsDetail()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.BadGateway)
        {
            ReasonPhrase = "Bad Gateway",
            Content = new StringContent("upstream connect error", Encoding.UTF8, "text/plain"),
        };

        var error = await AdminApiClient.ToExceptionAsync(response, TestContext.Current.CancellationToken);

        Assert.Equal("Bad Gateway", error.Title);
        Assert.Equal("upstream connect error", error.Detail);
    }

    private static HttpResponseMessage Problem(HttpStatusCode status, string json) => new(status)
    {
        Content = new StringContent(json, Encoding.UTF8, "application/problem+json"),
    };
}
