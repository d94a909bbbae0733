using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace AgentGateway.Identity.Keys;

/// <summary>
/// Loads an RSA key from a PEM file in the data directory, creating it on first use, so that tokens issued before a
/// restart still validate afterwards. The file is readable by the current user only.
/// </summary>
internal static class RsaKeyStore
{
    public static RsaSecurityKey LoadOrCreate(string directory, string fileName)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, fileName);
        var rsa = RSA.Create();

        if (!File.Exists(path))
        {
            rsa.KeySize = 2048;
            var temporary = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using (var writer = new StreamWriter(temporary, options))
            {
                writer.Write(rsa.ExportPkcs8PrivateKeyPem());
            }

            try
            {
                File.Move(temporary, path, overwrite: false);
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another instance created the key first; use theirs.
                File.Delete(temporary);
            }
        }

        rsa.ImportFromPem(File.ReadAllText(path));
        return new RsaSecurityKey(rsa) { KeyId = ComputeKeyId(rsa) };
    }

    private static string ComputeKeyId(RSA rsa)
    {
        var modulus = rsa.ExportParameters(includePrivateParameters: false).Modulus!;
        return Base64UrlEncoder.Encode(SHA256.HashData(modulus)[..16]);
    }
}
