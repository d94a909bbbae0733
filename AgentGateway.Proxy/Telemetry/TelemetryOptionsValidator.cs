using AgentGateway.Proxy.Telemetry.AccessLog;
using Microsoft.Extensions.Options;

namespace AgentGateway.Proxy.Telemetry;

internal sealed class TelemetryOptionsValidator : IValidateOptions<TelemetryOptions>
{
    public ValidateOptionsResult Validate(string? name, TelemetryOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var log = options.AccessLog;
        var errors = new List<string>();
        if (double.IsNaN(log.SampleRate) || log.SampleRate is < 0 or > 1)
        {
            errors.Add("Telemetry:AccessLog:SampleRate must be between 0 and 1, e.g. 0.1.");
        }

        if (log.BufferSize is < 16 or > 1_000_000)
        {
            errors.Add("Telemetry:AccessLog:BufferSize must be between 16 and 1000000.");
        }

        if (string.IsNullOrWhiteSpace(log.Path))
        {
            errors.Add($"Telemetry:AccessLog:Path must be '{AccessLogOptions.StandardOutput}' or a file.");
        }
        else if (log.Enabled && log.Path != AccessLogOptions.StandardOutput && Path.GetDirectoryName(Path.GetFullPath(log.Path)) is { } directory && !Directory.Exists(directory))
        {
            errors.Add($"Telemetry:AccessLog:Path is in '{directory}', which does not exist.");
        }

        foreach (var field in log.Fields.Where(field => !AccessLogFields.All.Contains(field)))
        {
            errors.Add($"Telemetry:AccessLog:Fields has '{field}', which is none of: {string.Join(", ", AccessLogFields.All)}.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
