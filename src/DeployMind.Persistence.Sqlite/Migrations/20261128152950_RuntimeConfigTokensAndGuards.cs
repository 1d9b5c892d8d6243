using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace DeployMind.Persistence.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class RuntimeConfigTokensAndGuards : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "api_tokens",
                columns: table => new
                {
                    id = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    role = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    token_hash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    token_prefix = table.Column<string>(type: "TEXT", maxLength: 8, nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    last_used_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    revoked_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    created_by = table.Column<string>(type: "TEXT", maxLength: 255, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_api_tokens", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "app_variables",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    application = table.Column<string>(type: "TEXT", maxLength: 63, nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    value = table.Column<string>(type: "TEXT", nullable: true),
                    encrypted_value = table.Column<string>(type: "TEXT", nullable: true),
                    is_secret = table.Column<bool>(type: "INTEGER", nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_app_variables", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "schedule_fires",
                columns: table => new
                {
                    schedule_key = table.Column<string>(type: "TEXT", maxLength: 512, nullable: false),
                    fire_time = table.Column<DateTime>(type: "TEXT", nullable: false),
                    deployment_id = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    fired_by = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    fired_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_schedule_fires", x => new { x.schedule_key, x.fire_time });
                    table.ForeignKey(
                        name: "FK_schedule_fires_deployments_deployment_id",
                        column: x => x.deployment_id,
                        principalTable: "deployments",
                        principalColumn: "id",
                        onDelete: ReferentialAction.SetNull);
                });

            migrationBuilder.CreateTable(
                name: "webhook_deliveries",
                columns: table => new
                {
                    delivery_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    @event = table.Column<string>(name: "event", type: "TEXT", maxLength: 64, nullable: false),
                    repository = table.Column<string>(type: "TEXT", maxLength: 141, nullable: true),
                    received_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    deployment_id = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    outcome = table.Column<string>(type: "TEXT", maxLength: 512, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_webhook_deliveries", x => x.delivery_id);
                    table.ForeignKey(
                        name: "FK_webhook_deliveries_deployments_deployment_id",
                        column: x => x.deployment_id,
                        principalTable: "deployments",
                        principalColumn: "id",
                        onDelete: ReferentialAction.SetNull);
                });

            migrationBuilder.CreateIndex(
                name: "ix_api_tokens_token_prefix",
                table: "api_tokens",
                column: "token_prefix");

            migrationBuilder.CreateIndex(
                name: "ux_api_tokens_token_hash",
                table: "api_tokens",
                column: "token_hash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ux_app_variables_application_name",
                table: "app_variables",
                columns: new[] { "application", "name" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_schedule_fires_deployment_id",
                table: "schedule_fires",
                column: "deployment_id");

            migrationBuilder.CreateIndex(
                name: "ix_schedule_fires_fired_at",
                table: "schedule_fires",
                column: "fired_at");

            migrationBuilder.CreateIndex(
                name: "ix_webhook_deliveries_deployment_id",
                table: "webhook_deliveries",
                column: "deployment_id");

            migrationBuilder.CreateIndex(
                name: "ix_webhook_deliveries_received_at",
                table: "webhook_deliveries",
                column: "received_at");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "api_tokens");

            migrationBuilder.DropTable(
                name: "app_variables");

            migrationBuilder.DropTable(
                name: "schedule_fires");

            migrationBuilder.DropTable(
                name: "webhook_deliveries");
        }
    }
}
