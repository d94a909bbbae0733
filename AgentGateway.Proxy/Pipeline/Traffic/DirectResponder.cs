using System.Text;
using AgentGateway.Contracts.V1;

namespace AgentGateway.Proxy.Pipeline.Traffic;

/// <summary>Answers a route's requests from the gateway with a fixed status and body.</summary>
internal sealed class DirectResponder(DirectResponse response)
{
    private readonly byte[] _body = Encoding.UTF8.GetBytes(response.Body);
    private readonly string? _contentType = response.ContentType.Length > 0 ? response.ContentType : response.Body.Length > 0 ? "text/plain; charset=utf-8" : null;

    public async Task WriteAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.StatusCode = (int)response.Status;
        if (_contentType is not null)
        {
            context.Response.ContentType = _contentType;
        }

        context.Response.ContentLength = _body.Length;
        if (_body.Length > 0 && !HttpMethods.IsHead(context.Request.Method))
        {
            await context.Response.Body.WriteAsync(_body, context.RequestAborted);
        }
    }
}
