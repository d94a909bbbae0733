namespace AgentGateway.AppHost.Extensions;

/// <summary>Small files of generated credentials, kept between runs and readable by their owner only.</summary>
internal static class OwnerOnlyFile
{
    /// <summary>The trimmed content of <paramref name="path"/>, or <paramref name="create"/>'s value written to it first.</summary>
    public static string ReadOrCreate(string path, Func<string> create)
    {
        ArgumentNullException.ThrowIfNull(create);
        if (File.Exists(path))
        {
            return File.ReadAllText(path).Trim();
        }

        var value = create();
        Write(path, value);
        return value;
    }

    /// <summary>Writes a new file that only its owner may read.</summary>
    public static void Write(string path, string value)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var writer = new StreamWriter(path, options);
        writer.Write(value);
    }
}
