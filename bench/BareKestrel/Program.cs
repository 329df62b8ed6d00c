// The bench's ceilings: what any ASP.NET Core host pays, without Orleans, for the same work as ours.
// - Body (a file): GET /ch08/vendor/list answers with its bytes (the bench writes our own 50-vendor answer there),
//   read once into memory. No database, no middleware, no logging per request.
// - Database (a SQLite file): POST /ch08/vendor/add parses the vendor, commits it with others in one transaction
//   (GroupInserts: WAL, synchronous=FULL, so a 200 means synced) and answers with the vendor.
using BareKestrel;

var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
builder.Services.ConfigureHttpJsonOptions(options => options.SerializerOptions.TypeInfoResolverChain.Insert(0, VendorJson.Default));
var bodyFile = builder.Configuration["Body"];
var databaseFile = builder.Configuration["Database"];
if (bodyFile is null && databaseFile is null)
{
    throw new InvalidOperationException("Set Body (the file holding the list's bytes), Database (a SQLite file for inserts), or both.");
}
var app = builder.Build();
app.MapGet("/health/ready", () => Results.Ok());
if (bodyFile is not null)
{
    var body = await File.ReadAllBytesAsync(bodyFile);
    app.MapGet("/ch08/vendor/list", () => Results.Bytes(body, "application/json; charset=utf-8"));
}
if (databaseFile is not null)
{
    var inserts = new GroupInserts(databaseFile);
    app.Lifetime.ApplicationStopped.Register(inserts.Dispose);
    app.MapPost("/ch08/vendor/add", async (Vendor vendor) =>
        vendor.Id <= 0 || vendor.LoginId <= 0
            ? Results.Problem(statusCode: 400, title: "id and login_id must be positive")
            : await inserts.AddAsync(vendor) ? Results.Ok(vendor) : Results.Problem(statusCode: 409, title: "The vendor could not be added."));
}
await app.RunAsync();
