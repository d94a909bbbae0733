namespace AgentGateway.Identity.Configuration;

/// <summary>Configuration section <c>Identity</c>: the issuer, its key storage, users and clients.</summary>
internal sealed class IdentityServerOptions
{
    public const string SectionName = "Identity";

    public const string DefaultIssuer = "http://localhost:5070" + Realm.BasePath;

    /// <summary>The issuer URI (<c>{base}/realms/agentgateway</c>).</summary>
    public string Issuer { get; set; } = DefaultIssuer;

    /// <summary>Directory that keeps the signing and encryption keys; defaults under the user's local app data.</summary>
    public string? DataPath { get; set; }

    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromHours(1);

    public List<IdentityUserOptions> Users { get; set; } = [];

    public List<IdentityClientOptions> Clients { get; set; } = [];

    public string ResolveDataPath() =>
        string.IsNullOrWhiteSpace(DataPath)
            ? Path.Combine(
                Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create),
                "agentgateway",
                "identity")
            : Path.GetFullPath(DataPath);
}
