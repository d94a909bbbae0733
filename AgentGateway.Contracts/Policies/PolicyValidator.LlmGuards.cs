using System.Text.RegularExpressions;
using AgentGateway.Contracts.Routing;
using AgentGateway.Contracts.V1;

namespace AgentGateway.Contracts.Policies;

/// <summary>Guards of LLM routes (prompts and answers) and of MCP routes (tool arguments and results).</summary>
public static partial class PolicyValidator
{
    public static void Validate(LlmGuards guards, string path, SecretSources sources, List<ConfigError> errors)
    {
        ArgumentNullException.ThrowIfNull(guards);
        ArgumentNullException.ThrowIfNull(errors);
        if (guards.Prompt.Count + guards.Answer.Count + guards.Webhooks.Count == 0)
        {
            errors.Add(new ConfigError(path, "needs at least one prompt, answer or webhook guard"));
        }

        if (guards.StreamCheckChars is > 0 and < 20 or > 100_000)
        {
            errors.Add(new ConfigError(Join(path, "streamCheckChars"), "must be from 20 to 100000 characters (or 0 for 500)"));
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        Guards(guards.Prompt, Join(path, "prompt"), names, errors);
        Guards(guards.Answer, Join(path, "answer"), names, errors);
        for (var index = 0; index < guards.Webhooks.Count; index++)
        {
            var webhook = guards.Webhooks[index];
            var field = $"{Join(path, "webhooks")}[{index}]";
            GuardName(webhook.Name, Join(field, "name"), names, errors);
            if (!IsHttpUrl(webhook.Url, out _))
            {
                errors.Add(new ConfigError(Join(field, "url"), "must be an absolute http(s) URL"));
            }

            if (webhook.TimeoutMs > 60_000)
            {
                errors.Add(new ConfigError(Join(field, "timeoutMs"), "must be at most 60000 (or 0 for 5000)"));
            }

            if (webhook.Auth is { } auth)
            {
                Validate(auth, Join(field, "auth"), sources, errors);
            }
        }
    }

    public static void Validate(ToolGuards guards, string path, List<ConfigError> errors)
    {
        ArgumentNullException.ThrowIfNull(guards);
        ArgumentNullException.ThrowIfNull(errors);
        if (guards.Arguments.Count + guards.Results.Count == 0 && guards.MaxArgumentBytes == 0 && guards.MaxResultBytes == 0)
        {
            errors.Add(new ConfigError(path, "needs at least one arguments or results guard, or a size bound"));
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        Guards(guards.Arguments, Join(path, "arguments"), names, errors);
        Guards(guards.Results, Join(path, "results"), names, errors);
        for (var index = 0; index < guards.Tools.Count; index++)
        {
            var tool = guards.Tools[index];
            if (string.IsNullOrEmpty(tool) || tool.Length > 256 || tool.Any(char.IsControl))
            {
                errors.Add(new ConfigError($"{Join(path, "tools")}[{index}]", "must be a tool name of 1 to 256 characters, '*' matching any"));
            }
        }

        foreach (var (bound, field) in new[] { (guards.MaxArgumentBytes, "maxArgumentBytes"), (guards.MaxResultBytes, "maxResultBytes") })
        {
            if (bound is > 0 and < 64 or > 64 * 1024 * 1024)
            {
                errors.Add(new ConfigError(Join(path, field), "must be from 64 bytes to 64 MiB (or 0 for no bound of its own)"));
            }
        }
    }

    private static void Guards(IReadOnlyList<LlmGuard> guards, string path, HashSet<string> names, List<ConfigError> errors)
    {
        for (var index = 0; index < guards.Count; index++)
        {
            var guard = guards[index];
            var field = $"{path}[{index}]";
            GuardName(guard.Name, Join(field, "name"), names, errors);
            if (guard.Patterns.Count == 0 && guard.Pii.Count == 0)
            {
                errors.Add(new ConfigError(field, "needs patterns, pii detectors or both"));
            }

            for (var pattern = 0; pattern < guard.Patterns.Count; pattern++)
            {
                try
                {
                    _ = new Regex(guard.Patterns[pattern], RegexOptions.CultureInvariant, RouteValidator.RegexTimeout);
                }
                catch (ArgumentException exception)
                {
                    errors.Add(new ConfigError($"{Join(field, "patterns")}[{pattern}]", $"is not a valid regular expression: {exception.Message}"));
                }
            }

            if (guard.Pii.Any(detector => detector == PiiDetector.Unspecified || !Enum.IsDefined(detector)))
            {
                errors.Add(new ConfigError(Join(field, "pii"), "must name detectors: 'email', 'phone', 'credit-card', 'ssn', 'ip-address', 'iban'"));
            }

            if (!Enum.IsDefined(guard.Action))
            {
                errors.Add(new ConfigError(Join(field, "action"), "must be 'mask' or 'reject'"));
            }

            if (guard.Replacement.Length > 200 || guard.Message.Length > 500)
            {
                errors.Add(new ConfigError(guard.Replacement.Length > 200 ? Join(field, "replacement") : Join(field, "message"), "is too long (replacement 200, message 500 characters at most)"));
            }
        }
    }

    private static void GuardName(string name, string path, HashSet<string> names, List<ConfigError> errors)
    {
        if (!Names.IsValid(name))
        {
            errors.Add(new ConfigError(path, Names.Rule));
        }
        else if (!names.Add(name))
        {
            errors.Add(new ConfigError(path, $"'{name}' names another guard of the route"));
        }
    }
}
