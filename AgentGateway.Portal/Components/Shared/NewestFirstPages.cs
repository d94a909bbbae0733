using AgentGateway.Portal.Services;

namespace AgentGateway.Portal.Components.Shared;

/// <summary>
/// A list AdminApi gives newest first, a page at a time: each page is of the items older than the last one held
/// (the calls, the audit log). Whether more may follow is known from a full page.
/// </summary>
/// <param name="at">When an item happened: the next page is of those before the last item's.</param>
public sealed class NewestFirstPages<T>(int pageSize, Func<T, DateTimeOffset> at, bool loading = false)
{
    public List<T> Items { get; } = [];

    public bool Loading { get; private set; } = loading;

    public bool More { get; private set; }

    public void Clear() => Items.Clear();

    /// <summary>Reads the next older page with <paramref name="read"/> (given the time to read before and the page size); the AdminApi error that stopped it, or null.</summary>
    public async Task<AdminApiException?> LoadOlderAsync(Func<DateTimeOffset?, int, Task<List<T>>> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        Loading = true;
        try
        {
            var page = await read(Items.Count == 0 ? null : at(Items[^1]), pageSize);
            Items.AddRange(page);
            More = page.Count == pageSize;
            return null;
        }
        catch (AdminApiException exception)
        {
            More = false;
            return exception;
        }
        finally
        {
            Loading = false;
        }
    }
}
