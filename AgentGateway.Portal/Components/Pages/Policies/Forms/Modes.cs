using System.Text.Json.Nodes;

namespace AgentGateway.Portal.Components.Pages.Policies.Forms;

/// <summary>The authentication modes: 'strict' (a credential is needed) and 'optional' (checked when present).</summary>
internal static class Modes
{
    public const string Strict = "strict";
    public const string Optional = "optional";

    public static string Read(JsonObject? spec) => SpecJson.Text(spec, "mode") is { Length: > 0 } mode ? mode : Strict;

    /// <summary>Writes the mode, leaving the default out when the spec read had left it out.</summary>
    public static void Write(JsonObject target, JsonObject source, string mode)
    {
        if (mode == Strict && SpecJson.Text(source, "mode").Length == 0)
        {
            target.Remove("mode");
        }
        else
        {
            SpecJson.Set(target, "mode", mode);
        }
    }
}
