using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AgentGateway.AdminApi.Data.Migrations
{
    /// <inheritdoc />
    public partial class LlmUsageRecordIds : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "RecordId",
                table: "llm_usage",
                type: "uuid",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_llm_usage_RecordId",
                table: "llm_usage",
                column: "RecordId",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_llm_usage_RecordId",
                table: "llm_usage");

            migrationBuilder.DropColumn(
                name: "RecordId",
                table: "llm_usage");
        }
    }
}
