using System.Formats.Tar;
using System.IO.Compression;
using System.Text.Json;

namespace AgentGateway.Tests.Deploy.Fixtures;

/// <summary>
/// A stand-in for the ASP.NET base image, small enough to build in a test: one layer with a placeholder file and the
/// config of a linux/amd64 image that runs as root and listens on 8080 — so what the published image says about its
/// user, ports and environment comes from the project, not from the base.
/// </summary>
public static class TestBaseImage
{
    public const string Placeholder = "usr/share/dotnet/placeholder.txt";

    public static (byte[] Config, byte[] Layer) Create()
    {
        using var tar = new MemoryStream();
        using (var writer = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
        {
            var entry = new PaxTarEntry(TarEntryType.RegularFile, Placeholder) { DataStream = new MemoryStream("the runtime would be here\n"u8.ToArray()) };
            writer.WriteEntry(entry);
        }

        using var gzipped = new MemoryStream();
        using (var gzip = new GZipStream(gzipped, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(tar.ToArray());
        }

        var config = JsonSerializer.SerializeToUtf8Bytes(new
        {
            architecture = "amd64",
            os = "linux",
            config = new
            {
                User = "root",
                Env = new[] { "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "ASPNETCORE_HTTP_PORTS=8080", "DOTNET_RUNNING_IN_CONTAINER=true" },
                WorkingDir = "/",
            },
            rootfs = new { type = "layers", diff_ids = new[] { OciRegistry.Digest(tar.ToArray()) } },
        });
        return (config, gzipped.ToArray());
    }
}
