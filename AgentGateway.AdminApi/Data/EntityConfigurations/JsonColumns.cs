using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AgentGateway.AdminApi.Data.EntityConfigurations;

/// <summary>JSON objects stored as <c>jsonb</c>, compared by value.</summary>
internal static class JsonColumns
{
    private static readonly ValueComparer<JsonObject> s_comparer = new(
        (left, right) => JsonNode.DeepEquals(left, right),
        value => value.ToJsonString().GetHashCode(StringComparison.Ordinal),
        value => value.DeepClone().AsObject());

    private static readonly ValueComparer<JsonObject?> s_nullableComparer = new(
        (left, right) => JsonNode.DeepEquals(left, right),
        value => value == null ? 0 : value.ToJsonString().GetHashCode(StringComparison.Ordinal),
        value => value == null ? null : value.DeepClone().AsObject());

    public static PropertyBuilder<JsonObject> IsJsonObject(this PropertyBuilder<JsonObject> property) =>
        property.HasColumnType("jsonb").HasConversion(
            value => value.ToJsonString(),
            text => JsonNode.Parse(text, null, default)!.AsObject(),
            s_comparer);

    public static PropertyBuilder<JsonObject?> IsOptionalJsonObject(this PropertyBuilder<JsonObject?> property) =>
        property.HasColumnType("jsonb").HasConversion(
            value => value == null ? null : value.ToJsonString(),
            text => text == null ? null : JsonNode.Parse(text, null, default)!.AsObject(),
            s_nullableComparer);
}
