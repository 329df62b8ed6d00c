using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Newsstand.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class BillingSheetsInDatabase : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "sheet_run",
                table: "billing_job",
                type: "TEXT",
                maxLength: 32,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "billing_sheet_part",
                columns: table => new
                {
                    job_id = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    run = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    part = table.Column<int>(type: "INTEGER", nullable: false),
                    data = table.Column<byte[]>(type: "BLOB", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_billing_sheet_part", x => new { x.job_id, x.run, x.part });
                    table.ForeignKey(
                        name: "FK_billing_sheet_part_billing_job_job_id",
                        column: x => x.job_id,
                        principalTable: "billing_job",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "billing_sheet_part");

            migrationBuilder.DropColumn(
                name: "sheet_run",
                table: "billing_job");
        }
    }
}
