using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Newsstand.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Workloads : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "billing_job",
                columns: table => new
                {
                    id = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    billing_date = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    rows_scanned = table.Column<long>(type: "INTEGER", nullable: false),
                    rows_total = table.Column<long>(type: "INTEGER", nullable: false),
                    lines = table.Column<int>(type: "INTEGER", nullable: false),
                    total_payable = table.Column<double>(type: "REAL", nullable: true),
                    file_name = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    error = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "TEXT", nullable: false),
                    started_at = table.Column<DateTimeOffset>(type: "TEXT", nullable: true),
                    finished_at = table.Column<DateTimeOffset>(type: "TEXT", nullable: true),
                    attempts = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_billing_job", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "workload_monitor",
                columns: table => new
                {
                    id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    running = table.Column<bool>(type: "INTEGER", nullable: false),
                    latest_total = table.Column<double>(type: "REAL", nullable: true),
                    latest_at = table.Column<DateTimeOffset>(type: "TEXT", nullable: true),
                    ticks = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_workload_monitor", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_billing_date_billed",
                table: "billing",
                column: "date_billed");

            migrationBuilder.CreateIndex(
                name: "IX_billing_job_status_billing_date",
                table: "billing_job",
                columns: new[] { "status", "billing_date" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "billing_job");

            migrationBuilder.DropTable(
                name: "workload_monitor");

            migrationBuilder.DropIndex(
                name: "IX_billing_date_billed",
                table: "billing");
        }
    }
}
