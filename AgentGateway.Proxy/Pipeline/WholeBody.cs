using System.Text;

namespace AgentGateway.Proxy.Pipeline;

/// <summary>
/// A body the gateway writes whole, with its Content-Length: the client knows where it ends without chunks, and the
/// access log takes its size from the header instead of counting the writes.
/// </summary>
internal static class WholeBody
{
    /// <summary>Answers <paramref name="status"/> with <paramref name="message"/> as plain text.</summary>
    public static Task WriteTextAsync(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        return WriteAsync(context, "text/plain; charset=utf-8", message);
    }

    public static Task WriteAsync(HttpContext context, string contentType, string text)
    {
        var body = Encoding.UTF8.GetBytes(text);
        context.Response.ContentType = contentType;
        context.Response.ContentLength = body.Length;
        return context.Response.Body.WriteAsync(body, context.RequestAborted).AsTask();
    }
}
