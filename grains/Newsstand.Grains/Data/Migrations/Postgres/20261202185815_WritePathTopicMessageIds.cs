using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Newsstand.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class WritePathTopicMessageIds : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "message_id",
                table: "topic_message",
                type: "character varying(64)",
                maxLength: 64,
                nullable: false,
                defaultValue: "");

            // Messages logged before ids existed get one each (unique: their place in the log), so the index can be unique.
            migrationBuilder.Sql("UPDATE topic_message SET message_id = 'logged-' || \"partition\" || '-' || seq;");

            migrationBuilder.CreateIndex(
                name: "IX_topic_message_topic_message_id",
                table: "topic_message",
                columns: new[] { "topic", "message_id" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_topic_message_topic_message_id",
                table: "topic_message");

            migrationBuilder.DropColumn(
                name: "message_id",
                table: "topic_message");
        }
    }
}
