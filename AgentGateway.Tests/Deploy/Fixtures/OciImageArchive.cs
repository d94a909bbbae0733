using System.Formats.Tar;
using System.IO.Compression;
using System.Text.Json;

namespace AgentGateway.Tests.Deploy.Fixtures;

/// <summary>
/// An image as <c>dotnet publish -t:PublishContainer -p:ContainerArchiveOutputPath=...</c> writes it: an OCI image
/// layout in a tarball (<c>index.json</c>, <c>blobs/sha256/...</c>), read back into its config and its layers' files.
/// </summary>
public sealed class OciImageArchive
{
    private readonly Dictionary<string, byte[]> _entries;

    private OciImageArchive(Dictionary<string, byte[]> entries)
    {
        _entries = entries;
        using var index = JsonDocument.Parse(Entry("index.json"));
        var manifestDigest = index.RootElement.GetProperty("manifests")[0].GetProperty("digest").GetString()!;
        using var manifest = JsonDocument.Parse(Blob(manifestDigest));
        Config = JsonDocument.Parse(Blob(manifest.RootElement.GetProperty("config").GetProperty("digest").GetString()!)).RootElement.Clone();
        Layers = [.. manifest.RootElement.GetProperty("layers").EnumerateArray().Select(layer => ReadLayer(Blob(layer.GetProperty("digest").GetString()!)))];
    }

    /// <summary>The image config (<c>architecture</c>, <c>os</c>, <c>config.User</c>, <c>config.Env</c>, ...).</summary>
    public JsonElement Config { get; }

    /// <summary>Each layer's regular files by path, base layers first.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, byte[]>> Layers { get; }

    /// <summary><c>config.{name}</c> of the image config.</summary>
    public JsonElement Setting(string name) => Config.GetProperty("config").GetProperty(name);

    public static async Task<OciImageArchive> ReadAsync(string path, CancellationToken cancellationToken)
    {
        var bytes = await File.ReadAllBytesAsync(path, cancellationToken);
        return new OciImageArchive(ReadTar(bytes));
    }

    private byte[] Entry(string name) =>
        _entries.TryGetValue(name, out var content)
            ? content
            : throw new InvalidOperationException($"The archive has no '{name}'; it has {string.Join(", ", _entries.Keys)}.");

    private byte[] Blob(string digest) => Entry("blobs/" + digest.Replace(':', '/'));

    private static Dictionary<string, byte[]> ReadLayer(byte[] gzipped) => ReadTar(gzipped);

    /// <summary>The regular files of a tar stream, gzipped or not, by their path without a leading <c>./</c> or <c>/</c>.</summary>
    private static Dictionary<string, byte[]> ReadTar(byte[] bytes)
    {
        Stream stream = new MemoryStream(bytes);
        if (bytes is [0x1f, 0x8b, ..])
        {
            stream = new GZipStream(stream, CompressionMode.Decompress);
        }

        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        using (stream)
        using (var reader = new TarReader(stream))
        {
            while (reader.GetNextEntry() is { } entry)
            {
                if (entry.EntryType is TarEntryType.RegularFile or TarEntryType.V7RegularFile && entry.DataStream is { } data)
                {
                    using var content = new MemoryStream();
                    data.CopyTo(content);
                    files[entry.Name.TrimStart('.', '/')] = content.ToArray();
                }
            }
        }

        return files;
    }
}
