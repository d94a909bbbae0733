using System.Text.Json.Nodes;

namespace AgentGateway.Portal.Components.Pages.Policies.Forms;

/// <summary>The authentication modes: 'strict' (a credential is needed) and 'optional' (checked when present).</summary>
internal static class Modes
{
    public const string Strict = "strict";
    public const string Optional = "optional";

    public static string Read(JsonObject? spec) => SpecJson.Text(spec, "mode") is { Length: > 0 } mode ? mode : Strict;
}
