using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace AgentGateway.AdminApi.Data;

internal static class DatabaseErrors
{
    /// <summary>A unique index refused the write (two requests raced for the same name or path).</summary>
    public static bool IsUniqueViolation(DbUpdateException exception) =>
        exception.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };
}
