using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AgentGateway.AdminApi.Data.Migrations
{
    /// <inheritdoc />
    public partial class SessionKeysAndRouteSettings : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "FailureMode",
                table: "routes",
                type: "character varying(20)",
                maxLength: 20,
                nullable: false,
                defaultValue: "Open");

            migrationBuilder.AddColumn<int>(
                name: "TargetTimeoutMs",
                table: "routes",
                type: "integer",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "session_keys",
                columns: table => new
                {
                    Id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Material = table.Column<byte[]>(type: "bytea", nullable: false),
                    IsPrimary = table.Column<bool>(type: "boolean", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_session_keys", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_session_keys_IsPrimary",
                table: "session_keys",
                column: "IsPrimary",
                unique: true,
                filter: "\"IsPrimary\"");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "session_keys");

            migrationBuilder.DropColumn(
                name: "FailureMode",
                table: "routes");

            migrationBuilder.DropColumn(
                name: "TargetTimeoutMs",
                table: "routes");
        }
    }
}
