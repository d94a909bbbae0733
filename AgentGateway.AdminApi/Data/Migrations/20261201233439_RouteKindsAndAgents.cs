using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AgentGateway.AdminApi.Data.Migrations
{
    /// <inheritdoc />
    public partial class RouteKindsAndAgents : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_routes_Path",
                table: "routes");

            migrationBuilder.AlterColumn<string>(
                name: "Path",
                table: "routes",
                type: "character varying(512)",
                maxLength: 512,
                nullable: true,
                oldClrType: typeof(string),
                oldType: "character varying(512)",
                oldMaxLength: 512);

            migrationBuilder.AddColumn<Guid>(
                name: "AgentId",
                table: "routes",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Conditions",
                table: "routes",
                type: "jsonb",
                nullable: true);

            migrationBuilder.AddColumn<List<string>>(
                name: "Hosts",
                table: "routes",
                type: "text[]",
                nullable: false,
                defaultValueSql: "'{}'");

            migrationBuilder.AddColumn<string>(
                name: "Http",
                table: "routes",
                type: "jsonb",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Kind",
                table: "routes",
                type: "character varying(10)",
                maxLength: 10,
                nullable: false,
                defaultValue: "mcp");

            migrationBuilder.AddColumn<string>(
                name: "MatchKey",
                table: "routes",
                type: "character varying(64)",
                maxLength: 64,
                nullable: false,
                defaultValue: "");

            // Routes made before routes had kinds match an exact path and nothing else: their key is that of the
            // match "exact:{path}" (RouteDefinition.KeyOf).
            migrationBuilder.Sql("UPDATE routes SET \"MatchKey\" = encode(sha256(convert_to('exact:' || \"Path\", 'UTF8')), 'hex');");

            migrationBuilder.AddColumn<string>(
                name: "PathPrefix",
                table: "routes",
                type: "character varying(512)",
                maxLength: 512,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "PathRegex",
                table: "routes",
                type: "character varying(1024)",
                maxLength: 1024,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "agents",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    TenantId = table.Column<Guid>(type: "uuid", nullable: false),
                    Name = table.Column<string>(type: "character varying(63)", maxLength: 63, nullable: false),
                    Url = table.Column<string>(type: "character varying(2048)", maxLength: 2048, nullable: false),
                    CardUrl = table.Column<string>(type: "character varying(2048)", maxLength: 2048, nullable: true),
                    Description = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    Card = table.Column<string>(type: "jsonb", nullable: true),
                    CardFetchedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    CardError = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    xmin = table.Column<uint>(type: "xid", rowVersion: true, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_agents", x => x.Id);
                    table.ForeignKey(
                        name: "FK_agents_tenants_TenantId",
                        column: x => x.TenantId,
                        principalTable: "tenants",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_routes_AgentId",
                table: "routes",
                column: "AgentId");

            migrationBuilder.CreateIndex(
                name: "IX_routes_MatchKey",
                table: "routes",
                column: "MatchKey",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_routes_Path",
                table: "routes",
                column: "Path");

            migrationBuilder.CreateIndex(
                name: "IX_agents_TenantId_Name",
                table: "agents",
                columns: new[] { "TenantId", "Name" },
                unique: true);

            migrationBuilder.AddForeignKey(
                name: "FK_routes_agents_AgentId",
                table: "routes",
                column: "AgentId",
                principalTable: "agents",
                principalColumn: "Id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_routes_agents_AgentId",
                table: "routes");

            migrationBuilder.DropTable(
                name: "agents");

            migrationBuilder.DropIndex(
                name: "IX_routes_AgentId",
                table: "routes");

            migrationBuilder.DropIndex(
                name: "IX_routes_MatchKey",
                table: "routes");

            migrationBuilder.DropIndex(
                name: "IX_routes_Path",
                table: "routes");

            migrationBuilder.DropColumn(
                name: "AgentId",
                table: "routes");

            migrationBuilder.DropColumn(
                name: "Conditions",
                table: "routes");

            migrationBuilder.DropColumn(
                name: "Hosts",
                table: "routes");

            migrationBuilder.DropColumn(
                name: "Http",
                table: "routes");

            migrationBuilder.DropColumn(
                name: "Kind",
                table: "routes");

            migrationBuilder.DropColumn(
                name: "MatchKey",
                table: "routes");

            migrationBuilder.DropColumn(
                name: "PathPrefix",
                table: "routes");

            migrationBuilder.DropColumn(
                name: "PathRegex",
                table: "routes");

            migrationBuilder.AlterColumn<string>(
                name: "Path",
                table: "routes",
                type: "character varying(512)",
                maxLength: 512,
                nullable: false,
                defaultValue: "",
                oldClrType: typeof(string),
                oldType: "character varying(512)",
                oldMaxLength: 512,
                oldNullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_routes_Path",
                table: "routes",
                column: "Path",
                unique: true);
        }
    }
}
