using System.Text.Json.Nodes;
using AgentGateway.Portal.Components.Shared;

namespace AgentGateway.Portal.Components.Pages.Policies.Forms;

/// <summary>A JWT issuer (<c>JwtProvider</c>): of a jwt-auth policy, or an authorization server of mcp-authentication.</summary>
public sealed class JwtProviderModel
{
    private JsonObject _source = [];

    public string Issuer { get; set; } = string.Empty;

    /// <summary>Accepted audiences, comma-separated; empty accepts any.</summary>
    public string Audiences { get; set; } = string.Empty;

    public string JwksUri { get; set; } = string.Empty;

    public int? ClockSkewSeconds { get; set; }

    public List<ClaimRequirementModel> RequiredClaims { get; } = [];

    public static JwtProviderModel Read(JsonObject? json)
    {
        var provider = new JwtProviderModel
        {
            _source = SpecJson.Copy(json),
            Issuer = SpecJson.Text(json, "issuer"),
            Audiences = TextLists.Join(SpecJson.Strings(json, "audiences")),
            JwksUri = SpecJson.Text(json, "jwksUri"),
            ClockSkewSeconds = SpecJson.Number(json, "clockSkewSeconds"),
        };
        if (json?["requiredClaims"] is JsonArray claims)
        {
            provider.RequiredClaims.AddRange(claims.OfType<JsonObject>().Select(claim => new ClaimRequirementModel
            {
                Claim = SpecJson.Text(claim, "claim"),
                Values = TextLists.Join(SpecJson.Strings(claim, "values")),
            }));
        }

        return provider;
    }

    public JsonObject Write()
    {
        var json = SpecJson.Copy(_source);
        SpecJson.Set(json, "issuer", Issuer);
        SpecJson.SetList(json, "audiences", Audiences);
        SpecJson.Set(json, "jwksUri", JwksUri);
        SpecJson.Set(json, "clockSkewSeconds", ClockSkewSeconds);
        var claims = RequiredClaims.Where(claim => claim.Claim.Trim().Length > 0 || claim.Values.Trim().Length > 0).ToList();
        if (claims.Count == 0)
        {
            json.Remove("requiredClaims");
        }
        else
        {
            json["requiredClaims"] = new JsonArray([.. claims.Select(claim =>
            {
                var requirement = new JsonObject();
                SpecJson.Set(requirement, "claim", claim.Claim);
                SpecJson.SetList(requirement, "values", claim.Values);
                return (JsonNode)requirement;
            })]);
        }

        return json;
    }
}
