using AgentGateway.Portal.Services;
using MudBlazor;

namespace AgentGateway.Portal.Components.Shared;

/// <summary>
/// How a page calls AdminApi: a refusal is kept for the page to show (<c>ProblemAlert</c>), never thrown at the circuit;
/// a destructive call is asked for first.
/// </summary>
internal static class AdminApiCalls
{
    /// <summary>Runs <paramref name="call"/>: AdminApi's refusal, or null when it went through.</summary>
    public static async Task<AdminApiException?> TryAsync(Func<Task> call)
    {
        ArgumentNullException.ThrowIfNull(call);
        try
        {
            await call();
            return null;
        }
        catch (AdminApiException exception)
        {
            return exception;
        }
    }

    /// <summary>Whether the user confirms <paramref name="question"/> with <paramref name="action"/> (or cancels).</summary>
    public static async Task<bool> ConfirmAsync(this IDialogService dialogs, string title, string question, string action)
    {
        ArgumentNullException.ThrowIfNull(dialogs);
        return await dialogs.ShowMessageBoxAsync(title, question, yesText: action, cancelText: "Cancel") == true;
    }
}
