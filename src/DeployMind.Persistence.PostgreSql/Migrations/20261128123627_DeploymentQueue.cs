using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace DeployMind.Persistence.PostgreSql.Migrations
{
    /// <inheritdoc />
    public partial class DeploymentQueue : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTime>(
                name: "cancel_requested_at",
                table: "deployments",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "lease_expires_at",
                table: "deployments",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "target_keys",
                table: "deployments",
                type: "character varying(4096)",
                maxLength: 4096,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "worker_id",
                table: "deployments",
                type: "character varying(128)",
                maxLength: 128,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "deployment_target_locks",
                columns: table => new
                {
                    target = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    deployment_id = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    worker_id = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    acquired_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_deployment_target_locks", x => x.target);
                    table.ForeignKey(
                        name: "FK_deployment_target_locks_deployments_deployment_id",
                        column: x => x.deployment_id,
                        principalTable: "deployments",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_deployments_queue",
                table: "deployments",
                columns: new[] { "status", "worker_id", "lease_expires_at" });

            migrationBuilder.CreateIndex(
                name: "ix_deployment_target_locks_deployment_id",
                table: "deployment_target_locks",
                column: "deployment_id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "deployment_target_locks");

            migrationBuilder.DropIndex(
                name: "ix_deployments_queue",
                table: "deployments");

            migrationBuilder.DropColumn(
                name: "cancel_requested_at",
                table: "deployments");

            migrationBuilder.DropColumn(
                name: "lease_expires_at",
                table: "deployments");

            migrationBuilder.DropColumn(
                name: "target_keys",
                table: "deployments");

            migrationBuilder.DropColumn(
                name: "worker_id",
                table: "deployments");
        }
    }
}
