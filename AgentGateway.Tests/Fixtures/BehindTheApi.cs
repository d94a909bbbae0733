using Npgsql;

namespace AgentGateway.Tests.Fixtures;

/// <summary>
/// Changes AdminApi's database behind its back — as a restored backup or a hand-edited row would — then tells every
/// AdminApi replica, as a committed change does, so that it rebuilds the proxies' config from what is stored.
/// </summary>
public static class BehindTheApi
{
    /// <summary>Runs <paramref name="sql"/> with <c>@value</c> bound to <paramref name="value"/>; the rows it changed.</summary>
    public static async Task<int> ChangeAsync(string connectionString, string sql, object value, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        int changed;
        await using (var command = new NpgsqlCommand(sql, connection))
        {
            command.Parameters.AddWithValue("value", value);
            changed = await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await using var notify = new NpgsqlCommand(
            """UPDATE config_revisions SET "Revision" = "Revision" + 1; SELECT pg_notify('agentgateway_config', 'behind the API')""", connection);
        await notify.ExecuteNonQueryAsync(cancellationToken);
        return changed;
    }
}
