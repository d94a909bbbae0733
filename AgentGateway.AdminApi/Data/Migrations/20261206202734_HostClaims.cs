using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AgentGateway.AdminApi.Data.Migrations
{
    /// <inheritdoc />
    public partial class HostClaims : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "host_claims",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    Host = table.Column<string>(type: "character varying(253)", maxLength: 253, nullable: false),
                    TenantId = table.Column<Guid>(type: "uuid", nullable: false),
                    Granted = table.Column<bool>(type: "boolean", nullable: false),
                    ClaimedBy = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    ClaimedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    AssignedBy = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    AssignedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_host_claims", x => x.Id);
                    table.ForeignKey(
                        name: "FK_host_claims_tenants_TenantId",
                        column: x => x.TenantId,
                        principalTable: "tenants",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_host_claims_Host",
                table: "host_claims",
                column: "Host",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_host_claims_TenantId",
                table: "host_claims",
                column: "TenantId");

            // The hosts routes already name become their tenant's claims (the earliest route first). None is granted:
            // a route outside /{tenant} on them is reported refused until a platform admin grants its host.
            migrationBuilder.Sql("""
                INSERT INTO host_claims ("Id", "Host", "TenantId", "Granted", "ClaimedBy", "ClaimedAt")
                SELECT DISTINCT ON (host) gen_random_uuid(), host, "TenantId", false, 'migration', "CreatedAt"
                FROM routes, unnest("Hosts") AS host
                ORDER BY host, "CreatedAt"
                ON CONFLICT ("Host") DO NOTHING;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "host_claims");
        }
    }
}
