using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AgentGateway.AdminApi.Data.Migrations
{
    /// <inheritdoc />
    public partial class ProxyIdentity : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "AllowProxyIdentity",
                table: "tenants",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            // Google token auths without a key used the proxy's own identity; they now say so, and their tenants keep
            // the permission (a platform admin may take it back once they have keys of their own).
            migrationBuilder.Sql("""
                CREATE FUNCTION pg_temp.asks_proxy_identity(auth jsonb) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
                    SELECT CASE
                        WHEN auth ? 'gcpAccessToken' AND NOT (auth->'gcpAccessToken' ? 'serviceAccountKey')
                            THEN jsonb_set(auth, '{gcpAccessToken,proxyIdentity}', 'true')
                        WHEN auth ? 'gcpIdentityToken' AND NOT (auth->'gcpIdentityToken' ? 'serviceAccountKey')
                            THEN jsonb_set(auth, '{gcpIdentityToken,proxyIdentity}', 'true')
                        ELSE auth END
                $$;
                UPDATE policies SET "Spec" = pg_temp.asks_proxy_identity("Spec") WHERE "Kind" = 'backend-auth';
                UPDATE policies SET "Spec" = jsonb_set("Spec", '{webhooks}', (
                        SELECT jsonb_agg(CASE WHEN hook ? 'auth' THEN jsonb_set(hook, '{auth}', pg_temp.asks_proxy_identity(hook->'auth')) ELSE hook END)
                        FROM jsonb_array_elements("Spec"->'webhooks') AS hook))
                    WHERE "Kind" = 'llm-guards' AND jsonb_typeof("Spec"->'webhooks') = 'array';
                UPDATE tenants SET "AllowProxyIdentity" = true WHERE "Id" IN (
                    SELECT "TenantId" FROM policies WHERE "Spec"::text LIKE '%"proxyIdentity": true%');
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "AllowProxyIdentity",
                table: "tenants");
        }
    }
}
