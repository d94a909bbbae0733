using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AgentGateway.AdminApi.Data.Migrations
{
    /// <inheritdoc />
    public partial class VirtualKeys : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Llm",
                table: "api_keys",
                type: "jsonb",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "LlmBudgetExhaustedUntil",
                table: "api_keys",
                type: "timestamp with time zone",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "Llm",
                table: "api_keys");

            migrationBuilder.DropColumn(
                name: "LlmBudgetExhaustedUntil",
                table: "api_keys");
        }
    }
}
