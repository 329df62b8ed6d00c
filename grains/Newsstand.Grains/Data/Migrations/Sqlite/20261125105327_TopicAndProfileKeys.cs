using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Newsstand.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class TopicAndProfileKeys : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "profile_key",
                columns: table => new
                {
                    id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    friendly_name = table.Column<string>(type: "TEXT", nullable: true),
                    xml = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_profile_key", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "topic_checkpoint",
                columns: table => new
                {
                    topic = table.Column<string>(type: "TEXT", maxLength: 45, nullable: false),
                    partition = table.Column<int>(type: "INTEGER", nullable: false),
                    position = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_topic_checkpoint", x => new { x.topic, x.partition });
                });

            migrationBuilder.CreateTable(
                name: "topic_failure",
                columns: table => new
                {
                    topic = table.Column<string>(type: "TEXT", maxLength: 45, nullable: false),
                    partition = table.Column<int>(type: "INTEGER", nullable: false),
                    seq = table.Column<long>(type: "INTEGER", nullable: false),
                    reason = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false),
                    failed_at = table.Column<DateTimeOffset>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_topic_failure", x => new { x.topic, x.partition, x.seq });
                });

            migrationBuilder.CreateTable(
                name: "topic_message",
                columns: table => new
                {
                    topic = table.Column<string>(type: "TEXT", maxLength: 45, nullable: false),
                    partition = table.Column<int>(type: "INTEGER", nullable: false),
                    seq = table.Column<long>(type: "INTEGER", nullable: false),
                    key = table.Column<int>(type: "INTEGER", nullable: false),
                    payload = table.Column<string>(type: "TEXT", nullable: false),
                    received_at = table.Column<DateTimeOffset>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_topic_message", x => new { x.topic, x.partition, x.seq });
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "profile_key");

            migrationBuilder.DropTable(
                name: "topic_checkpoint");

            migrationBuilder.DropTable(
                name: "topic_failure");

            migrationBuilder.DropTable(
                name: "topic_message");
        }
    }
}
