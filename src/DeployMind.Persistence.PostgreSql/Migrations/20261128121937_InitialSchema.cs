using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace DeployMind.Persistence.PostgreSql.Migrations
{
    /// <inheritdoc />
    public partial class InitialSchema : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "deployments",
                columns: table => new
                {
                    id = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    repository = table.Column<string>(type: "character varying(141)", maxLength: 141, nullable: false),
                    commit_sha = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    branch = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true),
                    instance_id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    region = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    status = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    environment = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    strategy = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    image_tag = table.Column<string>(type: "character varying(512)", maxLength: 512, nullable: true),
                    image_size_mb = table.Column<double>(type: "double precision", nullable: true),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    started_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    completed_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    duration_seconds = table.Column<double>(type: "double precision", nullable: true),
                    triggered_by = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true),
                    trigger_type = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    previous_deployment_id = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    rollback_reason = table.Column<string>(type: "text", nullable: true),
                    metadata = table.Column<string>(type: "jsonb", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_deployments", x => x.id);
                    table.ForeignKey(
                        name: "FK_deployments_deployments_previous_deployment_id",
                        column: x => x.previous_deployment_id,
                        principalTable: "deployments",
                        principalColumn: "id",
                        onDelete: ReferentialAction.SetNull);
                });

            migrationBuilder.CreateTable(
                name: "agent_executions",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    deployment_id = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    agent_name = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    agent_version = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    started_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    completed_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    duration_seconds = table.Column<double>(type: "double precision", nullable: true),
                    success = table.Column<bool>(type: "boolean", nullable: false),
                    llm_model = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: true),
                    llm_tokens_input = table.Column<int>(type: "integer", nullable: false),
                    llm_tokens_output = table.Column<int>(type: "integer", nullable: false),
                    llm_cost_usd = table.Column<decimal>(type: "numeric(18,8)", precision: 18, scale: 8, nullable: false),
                    output = table.Column<string>(type: "jsonb", nullable: true),
                    error_message = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_agent_executions", x => x.id);
                    table.ForeignKey(
                        name: "FK_agent_executions_deployments_deployment_id",
                        column: x => x.deployment_id,
                        principalTable: "deployments",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "build_results",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    deployment_id = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    build_duration_seconds = table.Column<double>(type: "double precision", nullable: true),
                    success = table.Column<bool>(type: "boolean", nullable: false),
                    exit_code = table.Column<int>(type: "integer", nullable: true),
                    dockerfile_path = table.Column<string>(type: "character varying(1024)", maxLength: 1024, nullable: true),
                    dockerfile_generated = table.Column<bool>(type: "boolean", nullable: false),
                    detected_language = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    detected_framework = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    image_id = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: true),
                    image_tag = table.Column<string>(type: "character varying(512)", maxLength: 512, nullable: true),
                    image_size_bytes = table.Column<long>(type: "bigint", nullable: true),
                    layer_count = table.Column<int>(type: "integer", nullable: true),
                    optimizations_applied = table.Column<string>(type: "jsonb", nullable: false),
                    original_size_bytes = table.Column<long>(type: "bigint", nullable: true),
                    optimized_size_bytes = table.Column<long>(type: "bigint", nullable: true),
                    size_reduction_percent = table.Column<double>(type: "double precision", nullable: true),
                    build_logs = table.Column<string>(type: "text", nullable: true),
                    error_message = table.Column<string>(type: "text", nullable: true),
                    ai_suggestions = table.Column<string>(type: "text", nullable: true),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_build_results", x => x.id);
                    table.ForeignKey(
                        name: "FK_build_results_deployments_deployment_id",
                        column: x => x.deployment_id,
                        principalTable: "deployments",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "deployment_logs",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    deployment_id = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    timestamp = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    level = table.Column<string>(type: "character varying(10)", maxLength: 10, nullable: false),
                    agent = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    message = table.Column<string>(type: "text", nullable: false),
                    event_type = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    event_data = table.Column<string>(type: "jsonb", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_deployment_logs", x => x.id);
                    table.ForeignKey(
                        name: "FK_deployment_logs_deployments_deployment_id",
                        column: x => x.deployment_id,
                        principalTable: "deployments",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "health_checks",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    deployment_id = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    check_time = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    check_type = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    check_url = table.Column<string>(type: "character varying(2048)", maxLength: 2048, nullable: true),
                    healthy = table.Column<bool>(type: "boolean", nullable: false),
                    status_code = table.Column<int>(type: "integer", nullable: true),
                    response_time_ms = table.Column<double>(type: "double precision", nullable: true),
                    response_body = table.Column<string>(type: "text", nullable: true),
                    instance_id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    instance_state = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    instance_status = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    attempt_number = table.Column<int>(type: "integer", nullable: false),
                    max_attempts = table.Column<int>(type: "integer", nullable: true),
                    error_message = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_health_checks", x => x.id);
                    table.ForeignKey(
                        name: "FK_health_checks_deployments_deployment_id",
                        column: x => x.deployment_id,
                        principalTable: "deployments",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "security_scans",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    deployment_id = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    scan_type = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    scanner_name = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    scanner_version = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    scan_duration_seconds = table.Column<double>(type: "double precision", nullable: true),
                    passed = table.Column<bool>(type: "boolean", nullable: false),
                    total_vulnerabilities = table.Column<int>(type: "integer", nullable: false),
                    critical_count = table.Column<int>(type: "integer", nullable: false),
                    high_count = table.Column<int>(type: "integer", nullable: false),
                    medium_count = table.Column<int>(type: "integer", nullable: false),
                    low_count = table.Column<int>(type: "integer", nullable: false),
                    vulnerabilities = table.Column<string>(type: "jsonb", nullable: true),
                    agent_decision = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: true),
                    agent_reasoning = table.Column<string>(type: "text", nullable: true),
                    recommendations = table.Column<string>(type: "text", nullable: true),
                    raw_output = table.Column<string>(type: "text", nullable: true),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_security_scans", x => x.id);
                    table.ForeignKey(
                        name: "FK_security_scans_deployments_deployment_id",
                        column: x => x.deployment_id,
                        principalTable: "deployments",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_agent_executions_agent_name",
                table: "agent_executions",
                column: "agent_name");

            migrationBuilder.CreateIndex(
                name: "ix_agent_executions_deployment_id",
                table: "agent_executions",
                column: "deployment_id");

            migrationBuilder.CreateIndex(
                name: "ix_agent_executions_started_at",
                table: "agent_executions",
                column: "started_at");

            migrationBuilder.CreateIndex(
                name: "ix_build_results_created_at",
                table: "build_results",
                column: "created_at");

            migrationBuilder.CreateIndex(
                name: "ix_build_results_deployment_id",
                table: "build_results",
                column: "deployment_id");

            migrationBuilder.CreateIndex(
                name: "ix_build_results_success_language",
                table: "build_results",
                columns: new[] { "success", "detected_language" });

            migrationBuilder.CreateIndex(
                name: "ix_deployment_logs_deployment_id_id",
                table: "deployment_logs",
                columns: new[] { "deployment_id", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_deployment_logs_timestamp",
                table: "deployment_logs",
                column: "timestamp");

            migrationBuilder.CreateIndex(
                name: "ix_deployments_created_at",
                table: "deployments",
                column: "created_at");

            migrationBuilder.CreateIndex(
                name: "ix_deployments_instance_id_status",
                table: "deployments",
                columns: new[] { "instance_id", "status" });

            migrationBuilder.CreateIndex(
                name: "ix_deployments_previous_deployment_id",
                table: "deployments",
                column: "previous_deployment_id");

            migrationBuilder.CreateIndex(
                name: "ix_deployments_repository_created_at",
                table: "deployments",
                columns: new[] { "repository", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_deployments_status_created_at",
                table: "deployments",
                columns: new[] { "status", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_health_checks_check_time",
                table: "health_checks",
                column: "check_time");

            migrationBuilder.CreateIndex(
                name: "ix_health_checks_deployment_id",
                table: "health_checks",
                column: "deployment_id");

            migrationBuilder.CreateIndex(
                name: "ix_health_checks_failed_check_time",
                table: "health_checks",
                column: "check_time",
                filter: "healthy = false");

            migrationBuilder.CreateIndex(
                name: "ix_security_scans_created_at",
                table: "security_scans",
                column: "created_at");

            migrationBuilder.CreateIndex(
                name: "ix_security_scans_deployment_id",
                table: "security_scans",
                column: "deployment_id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "agent_executions");

            migrationBuilder.DropTable(
                name: "build_results");

            migrationBuilder.DropTable(
                name: "deployment_logs");

            migrationBuilder.DropTable(
                name: "health_checks");

            migrationBuilder.DropTable(
                name: "security_scans");

            migrationBuilder.DropTable(
                name: "deployments");
        }
    }
}
