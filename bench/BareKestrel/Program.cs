// The bench's ceilings: what any ASP.NET Core host pays, without Orleans, for the same work as ours.
// - Body (a file): GET /ch08/vendor/list answers with its bytes (the bench writes our own 50-vendor answer there),
//   read once into memory. No database, no middleware, no logging per request.
// - Database (a SQLite file): POST /ch08/vendor/add parses the vendor, commits it with others in one transaction
//   (GroupInserts: WAL, synchronous=FULL, so a 200 means synced) and answers with the vendor.
// And the Orleans floor (Floor: cohosted, silo or client; see Floor.cs): the same inserts, each through a grain call
// to a chunk owner whose turn hands it to the same group commit.
using BareKestrel;

var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
builder.Services.ConfigureHttpJsonOptions(options => options.SerializerOptions.TypeInfoResolverChain.Insert(0, VendorJson.Default));
var bodyFile = builder.Configuration["Body"];
var databaseFile = builder.Configuration["Database"];
var floor = builder.Configuration["Floor"];
if (bodyFile is null && databaseFile is null && floor is null)
{
    throw new InvalidOperationException("Set Body (the file holding the list's bytes), Database (a SQLite file for inserts), Floor, or several.");
}
var inserts = databaseFile is null ? null : new GroupInserts(databaseFile);
if (floor is not null)
{
    Floor.AddOrleans(builder, floor, inserts);
}
var app = builder.Build();
app.MapGet("/health/ready", () => Results.Ok());
if (bodyFile is not null)
{
    var body = await File.ReadAllBytesAsync(bodyFile);
    app.MapGet("/ch08/vendor/list", () => Results.Bytes(body, "application/json; charset=utf-8"));
}
if (inserts is not null)
{
    app.Lifetime.ApplicationStopped.Register(inserts.Dispose);
}
Func<Vendor, Task<bool>>? add = floor is not null
    ? Floor.ServesInserts(floor) ? Floor.Adds(app.Services.GetRequiredService<IGrainFactory>(), app.Configuration.GetValue("Coalesce", true)) : null
    : inserts is not null ? async vendor => (await inserts.AddAsync([vendor]))[0] : null;
if (add is not null)
{
    app.MapPost("/ch08/vendor/add", async (Vendor vendor) =>
        vendor.Id <= 0 || vendor.LoginId <= 0
            ? Results.Problem(statusCode: 400, title: "id and login_id must be positive")
            : await add(vendor) ? Results.Ok(vendor) : Results.Problem(statusCode: 409, title: "The vendor could not be added."));
}
await app.RunAsync();
