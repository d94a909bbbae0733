using System.Net;
using System.Security.Cryptography;
using AgentGateway.Tests.Fixtures;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace AgentGateway.Tests.Deploy.Fixtures;

/// <summary>
/// The read side of an OCI distribution registry (<c>/v2/</c>, manifests and blobs by GET and HEAD) on loopback, over
/// plain HTTP, serving the images put in it: enough for <c>dotnet publish -t:PublishContainer</c> to pull a base image.
/// </summary>
public sealed class OciRegistry : IAsyncDisposable
{
    private const string ManifestMediaType = "application/vnd.oci.image.manifest.v1+json";

    private readonly WebApplication _app;
    private readonly Dictionary<string, byte[]> _blobs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, byte[]> _manifests = new(StringComparer.Ordinal);

    private OciRegistry(int port)
    {
        Host = $"127.0.0.1:{port}";
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
        _app = builder.Build();
        _app.MapMethods("/v2/", [HttpMethods.Get, HttpMethods.Head], () => Results.Json(new { }));
        _app.MapMethods("/v2/{**path}", [HttpMethods.Get, HttpMethods.Head], (string path) => Serve(path));
    }

    /// <summary>The registry's host and port, as image names start with it.</summary>
    public string Host { get; }

    /// <summary>The paths asked for, in order (for failure messages).</summary>
    public List<string> Requests { get; } = [];

    public static async Task<OciRegistry> StartAsync()
    {
        var registry = new OciRegistry(ServiceProcess.GetFreePort());
        await registry._app.StartAsync();
        return registry;
    }

    /// <summary>Serves an image of one platform under <c>{repository}:{tag}</c>: its config and its gzipped layers.</summary>
    public string Add(string repository, string tag, byte[] config, IReadOnlyList<byte[]> layers)
    {
        var manifest = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = ManifestMediaType,
            ["config"] = Descriptor("application/vnd.oci.image.config.v1+json", config),
            ["layers"] = layers.Select(layer => Descriptor("application/vnd.oci.image.layer.v1.tar+gzip", layer)).ToArray(),
        });
        lock (_blobs)
        {
            _manifests[$"{repository}:{tag}"] = manifest;
            _manifests[$"{repository}@{Digest(manifest)}"] = manifest;
        }

        return $"{Host}/{repository}:{tag}";
    }

    public static string Digest(byte[] content) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(content));

    private Dictionary<string, object> Descriptor(string mediaType, byte[] content)
    {
        lock (_blobs)
        {
            _blobs[Digest(content)] = content;
        }

        return new Dictionary<string, object> { ["mediaType"] = mediaType, ["digest"] = Digest(content), ["size"] = content.Length };
    }

    private IResult Serve(string path)
    {
        lock (_blobs)
        {
            Requests.Add(path);
            var manifests = path.LastIndexOf("/manifests/", StringComparison.Ordinal);
            if (manifests > 0)
            {
                var repository = path[..manifests];
                var reference = path[(manifests + "/manifests/".Length)..];
                var separator = reference.StartsWith("sha256:", StringComparison.Ordinal) ? "@" : ":";
                return _manifests.TryGetValue(repository + separator + reference, out var manifest)
                    ? Content(manifest, ManifestMediaType)
                    : Results.NotFound();
            }

            var blobs = path.LastIndexOf("/blobs/", StringComparison.Ordinal);
            return blobs > 0 && _blobs.TryGetValue(path[(blobs + "/blobs/".Length)..], out var blob)
                ? Content(blob, "application/octet-stream")
                : Results.NotFound();
        }
    }

    private static IResult Content(byte[] content, string mediaType) => new DigestedContent(content, mediaType);

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    /// <summary>Content with its <c>Docker-Content-Digest</c>; a HEAD gets the headers only.</summary>
    private sealed class DigestedContent(byte[] content, string mediaType) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.ContentType = mediaType;
            httpContext.Response.ContentLength = content.Length;
            httpContext.Response.Headers["Docker-Content-Digest"] = Digest(content);
            if (!HttpMethods.IsHead(httpContext.Request.Method))
            {
                await httpContext.Response.Body.WriteAsync(content, httpContext.RequestAborted);
            }
        }
    }
}
