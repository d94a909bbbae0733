using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AgentGateway.Cli;

/// <summary>An answer of AdminApi: its status, body and media type.</summary>
internal sealed record ApiAnswer(int Status, string Body, string? MediaType)
{
    public bool Succeeded => Status is >= 200 and < 300;

    public JsonNode? Json => Body.Length == 0 ? null : JsonNode.Parse(Body);
}

/// <summary>AdminApi at its URL, called with the user's bearer token.</summary>
internal sealed class AdminApiConnection : IDisposable
{
    private readonly HttpClient _http;

    public AdminApiConnection(Uri url, string token, HttpMessageHandler? handler = null)
    {
        _http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        _http.BaseAddress = url;
        _http.Timeout = TimeSpan.FromMinutes(5);
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("agw", typeof(AdminApiConnection).Assembly.GetName().Version?.ToString(3) ?? "1.0.0"));
    }

    public Uri Url => _http.BaseAddress!;

    public Task<ApiAnswer> GetAsync(string path, CancellationToken cancellationToken, string? accept = null) =>
        SendAsync(HttpMethod.Get, path, null, cancellationToken, accept);

    public Task<ApiAnswer> SendJsonAsync(HttpMethod method, string path, object body, CancellationToken cancellationToken) =>
        SendAsync(method, path, new StringContent(JsonSerializer.Serialize(body, JsonSerializerOptions.Web), Encoding.UTF8, "application/json"), cancellationToken);

    public Task<ApiAnswer> SendTextAsync(HttpMethod method, string path, string text, string mediaType, CancellationToken cancellationToken) =>
        SendAsync(method, path, new StringContent(text, Encoding.UTF8, mediaType), cancellationToken);

    private async Task<ApiAnswer> SendAsync(HttpMethod method, string path, HttpContent? content, CancellationToken cancellationToken, string? accept = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative)) { Content = content };
        if (accept is not null)
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(accept));
        }

        using var response = await _http.SendAsync(request, cancellationToken);
        return new ApiAnswer((int)response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken), response.Content.Headers.ContentType?.MediaType);
    }

    public void Dispose() => _http.Dispose();
}
