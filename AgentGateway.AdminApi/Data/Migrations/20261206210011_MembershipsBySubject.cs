using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AgentGateway.AdminApi.Data.Migrations
{
    /// <inheritdoc />
    public partial class MembershipsBySubject : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropPrimaryKey(
                name: "PK_tenant_members",
                table: "tenant_members");

            // Existing members become invitations of their name: each is bound to the sub of the user who next signs in
            // with it, as the name alone decided before.
            migrationBuilder.AddColumn<Guid>(
                name: "Id",
                table: "tenant_members",
                type: "uuid",
                nullable: false,
                defaultValueSql: "gen_random_uuid()");

            migrationBuilder.AddColumn<string>(
                name: "Subject",
                table: "tenant_members",
                type: "character varying(256)",
                maxLength: 256,
                nullable: true);

            migrationBuilder.AddPrimaryKey(
                name: "PK_tenant_members",
                table: "tenant_members",
                column: "Id");

            migrationBuilder.Sql("ALTER TABLE tenant_members ALTER COLUMN \"Id\" DROP DEFAULT;");

            migrationBuilder.CreateIndex(
                name: "IX_tenant_members_Subject",
                table: "tenant_members",
                column: "Subject");

            migrationBuilder.CreateIndex(
                name: "IX_tenant_members_TenantId_Subject",
                table: "tenant_members",
                columns: new[] { "TenantId", "Subject" },
                unique: true,
                filter: "\"Subject\" IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_tenant_members_TenantId_Username",
                table: "tenant_members",
                columns: new[] { "TenantId", "Username" },
                unique: true,
                filter: "\"Subject\" IS NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropPrimaryKey(
                name: "PK_tenant_members",
                table: "tenant_members");

            migrationBuilder.DropIndex(
                name: "IX_tenant_members_Subject",
                table: "tenant_members");

            migrationBuilder.DropIndex(
                name: "IX_tenant_members_TenantId_Subject",
                table: "tenant_members");

            migrationBuilder.DropIndex(
                name: "IX_tenant_members_TenantId_Username",
                table: "tenant_members");

            migrationBuilder.DropColumn(
                name: "Id",
                table: "tenant_members");

            migrationBuilder.DropColumn(
                name: "Subject",
                table: "tenant_members");

            migrationBuilder.AddPrimaryKey(
                name: "PK_tenant_members",
                table: "tenant_members",
                columns: new[] { "TenantId", "Username" });
        }
    }
}
