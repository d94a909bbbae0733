using System.Text.Json.Nodes;

namespace AgentGateway.Portal.Components.Pages.Policies.Forms;

/// <summary>A local-rate-limit spec (<c>LocalRateLimit</c>): token buckets each proxy keeps on its own.</summary>
public sealed class LocalRateLimitModel : PolicySpecModel
{
    private JsonObject _source = [];

    public List<RateLimitBucketModel> Buckets { get; } = [];

    public static LocalRateLimitModel Read(JsonObject? json)
    {
        var model = new LocalRateLimitModel { _source = SpecJson.Copy(json) };
        model.Buckets.AddRange(RateLimitBucketModel.ReadAll(json));
        return model;
    }

    public override JsonObject Write()
    {
        var json = SpecJson.Copy(_source);
        RateLimitBucketModel.WriteAll(json, Buckets);
        return json;
    }
}
