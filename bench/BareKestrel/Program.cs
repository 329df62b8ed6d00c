// The ceiling for GET /ch08/vendor/list: a minimal API on Kestrel answering with the bytes of the file named by
// the setting Body (the bench writes our service's own 50-vendor answer there), read once into memory. No Orleans,
// no database, no middleware, no logging per request: what any ASP.NET Core host pays for the same answer.
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
var path = builder.Configuration["Body"] ?? throw new InvalidOperationException("Set Body to the file holding the answer's bytes.");
var body = await File.ReadAllBytesAsync(path);
var app = builder.Build();
app.MapGet("/ch08/vendor/list", () => Results.Bytes(body, "application/json; charset=utf-8"));
await app.RunAsync();
