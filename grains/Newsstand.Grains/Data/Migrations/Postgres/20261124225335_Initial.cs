using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Newsstand.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "login",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false),
                    username = table.Column<string>(type: "character varying(45)", maxLength: 45, nullable: false),
                    password = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    user_type = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_login", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "admin",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false),
                    firstname = table.Column<string>(type: "character varying(45)", maxLength: 45, nullable: false),
                    lastname = table.Column<string>(type: "character varying(45)", maxLength: 45, nullable: false),
                    age = table.Column<int>(type: "integer", nullable: false),
                    date_started = table.Column<DateOnly>(type: "date", nullable: false),
                    status = table.Column<int>(type: "integer", nullable: false),
                    login_id = table.Column<int>(type: "integer", nullable: false),
                    birthday = table.Column<DateOnly>(type: "date", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_admin", x => x.id);
                    table.ForeignKey(
                        name: "FK_admin_login_login_id",
                        column: x => x.login_id,
                        principalTable: "login",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "customer",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false),
                    firstname = table.Column<string>(type: "character varying(45)", maxLength: 45, nullable: false),
                    lastname = table.Column<string>(type: "character varying(45)", maxLength: 45, nullable: false),
                    age = table.Column<int>(type: "integer", nullable: false),
                    birthday = table.Column<DateOnly>(type: "date", nullable: false),
                    date_subscribed = table.Column<DateOnly>(type: "date", nullable: false),
                    status = table.Column<int>(type: "integer", nullable: false),
                    subscription_type = table.Column<int>(type: "integer", nullable: false),
                    login_id = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_customer", x => x.id);
                    table.ForeignKey(
                        name: "FK_customer_login_login_id",
                        column: x => x.login_id,
                        principalTable: "login",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "vendor",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false),
                    rep_firstname = table.Column<string>(type: "character varying(45)", maxLength: 45, nullable: false),
                    rep_lastname = table.Column<string>(type: "character varying(45)", maxLength: 45, nullable: false),
                    rep_id = table.Column<string>(type: "character varying(45)", maxLength: 45, nullable: false),
                    rep_date_employed = table.Column<DateOnly>(type: "date", nullable: false),
                    account_name = table.Column<string>(type: "character varying(45)", maxLength: 45, nullable: false),
                    account_number = table.Column<string>(type: "character varying(45)", maxLength: 45, nullable: false),
                    date_consigned = table.Column<DateOnly>(type: "date", nullable: false),
                    login_id = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_vendor", x => x.id);
                    table.ForeignKey(
                        name: "FK_vendor_login_login_id",
                        column: x => x.login_id,
                        principalTable: "login",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "subscription",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false),
                    customer_id = table.Column<int>(type: "integer", nullable: false),
                    branch = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    price = table.Column<double>(type: "double precision", nullable: false),
                    qty = table.Column<int>(type: "integer", nullable: false),
                    date_purchased = table.Column<DateOnly>(type: "date", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_subscription", x => x.id);
                    table.ForeignKey(
                        name: "FK_subscription_customer_customer_id",
                        column: x => x.customer_id,
                        principalTable: "customer",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "billing",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false),
                    payable = table.Column<double>(type: "double precision", nullable: false),
                    approved_by = table.Column<string>(type: "character varying(45)", maxLength: 45, nullable: false),
                    date_approved = table.Column<DateOnly>(type: "date", nullable: false),
                    date_billed = table.Column<DateOnly>(type: "date", nullable: false),
                    received_by = table.Column<string>(type: "character varying(45)", maxLength: 45, nullable: false),
                    date_received = table.Column<DateOnly>(type: "date", nullable: false),
                    total_issues = table.Column<int>(type: "integer", nullable: false),
                    vendor_id = table.Column<int>(type: "integer", nullable: false),
                    admin_id = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_billing", x => x.id);
                    table.ForeignKey(
                        name: "FK_billing_admin_admin_id",
                        column: x => x.admin_id,
                        principalTable: "admin",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_billing_vendor_vendor_id",
                        column: x => x.vendor_id,
                        principalTable: "vendor",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "messenger",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false),
                    firstname = table.Column<string>(type: "character varying(45)", maxLength: 45, nullable: false),
                    lastname = table.Column<string>(type: "character varying(45)", maxLength: 45, nullable: false),
                    salary = table.Column<double>(type: "double precision", nullable: false),
                    date_employed = table.Column<DateOnly>(type: "date", nullable: false),
                    status = table.Column<int>(type: "integer", nullable: false),
                    vendor_id = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_messenger", x => x.id);
                    table.ForeignKey(
                        name: "FK_messenger_vendor_vendor_id",
                        column: x => x.vendor_id,
                        principalTable: "vendor",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "publication",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false),
                    name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    type = table.Column<string>(type: "character varying(45)", maxLength: 45, nullable: false),
                    vendor_id = table.Column<int>(type: "integer", nullable: false),
                    messenger_id = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_publication", x => x.id);
                    table.ForeignKey(
                        name: "FK_publication_messenger_messenger_id",
                        column: x => x.messenger_id,
                        principalTable: "messenger",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_publication_vendor_vendor_id",
                        column: x => x.vendor_id,
                        principalTable: "vendor",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "content",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false),
                    publication_id = table.Column<int>(type: "integer", nullable: false),
                    headline = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    content = table.Column<string>(type: "text", nullable: false),
                    content_type = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    date_published = table.Column<DateOnly>(type: "date", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_content", x => x.id);
                    table.ForeignKey(
                        name: "FK_content_publication_publication_id",
                        column: x => x.publication_id,
                        principalTable: "publication",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "sales",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false),
                    publication_id = table.Column<int>(type: "integer", nullable: false),
                    copies_issued = table.Column<int>(type: "integer", nullable: false),
                    copies_sold = table.Column<int>(type: "integer", nullable: false),
                    date_issued = table.Column<DateOnly>(type: "date", nullable: false),
                    revenue = table.Column<double>(type: "double precision", nullable: false),
                    profit = table.Column<double>(type: "double precision", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_sales", x => x.id);
                    table.ForeignKey(
                        name: "FK_sales_publication_publication_id",
                        column: x => x.publication_id,
                        principalTable: "publication",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_admin_login_id",
                table: "admin",
                column: "login_id");

            migrationBuilder.CreateIndex(
                name: "IX_billing_admin_id",
                table: "billing",
                column: "admin_id");

            migrationBuilder.CreateIndex(
                name: "IX_billing_vendor_id",
                table: "billing",
                column: "vendor_id");

            migrationBuilder.CreateIndex(
                name: "IX_content_publication_id",
                table: "content",
                column: "publication_id");

            migrationBuilder.CreateIndex(
                name: "IX_customer_login_id",
                table: "customer",
                column: "login_id");

            migrationBuilder.CreateIndex(
                name: "IX_login_username",
                table: "login",
                column: "username",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_messenger_vendor_id",
                table: "messenger",
                column: "vendor_id");

            migrationBuilder.CreateIndex(
                name: "IX_publication_messenger_id",
                table: "publication",
                column: "messenger_id");

            migrationBuilder.CreateIndex(
                name: "IX_publication_vendor_id",
                table: "publication",
                column: "vendor_id");

            migrationBuilder.CreateIndex(
                name: "IX_sales_publication_id",
                table: "sales",
                column: "publication_id");

            migrationBuilder.CreateIndex(
                name: "IX_subscription_customer_id",
                table: "subscription",
                column: "customer_id");

            migrationBuilder.CreateIndex(
                name: "IX_vendor_login_id",
                table: "vendor",
                column: "login_id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "billing");

            migrationBuilder.DropTable(
                name: "content");

            migrationBuilder.DropTable(
                name: "sales");

            migrationBuilder.DropTable(
                name: "subscription");

            migrationBuilder.DropTable(
                name: "admin");

            migrationBuilder.DropTable(
                name: "publication");

            migrationBuilder.DropTable(
                name: "customer");

            migrationBuilder.DropTable(
                name: "messenger");

            migrationBuilder.DropTable(
                name: "vendor");

            migrationBuilder.DropTable(
                name: "login");
        }
    }
}
