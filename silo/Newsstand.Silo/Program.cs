using Newsstand.Api.Hosting;
using Newsstand.Hosting;
using Newsstand.Silo.Hosting;

var builder = WebApplication.CreateBuilder(args);
var servesApi = false;

var app = await builder.BuildAsync("silo", builder =>
{
    PortCheck.EnsureWebPortsFree(builder.Configuration);
    servesApi = Settings.Read<ServedApiOptions>(builder.Configuration, ServedApiOptions.SectionName).ServeApi;
    builder.AddNewsstandSilo();
    builder.AddProfileKeyProtection();
    builder.AddDashboardAccess();
    if (servesApi)
    {
        // The co-hosted form: the web client's API on this silo's Kestrel; its grain calls begin in this silo.
        builder.AddHttpEndpoints();
        builder.AddNewsstandApi();
    }
});
if (app is null)
{
    return HostStartup.CannotStart;
}

if (servesApi)
{
    app.UseNewsstandApi();
}
app.MapNewsstandHealth();
app.MapNewsstandDashboard();
if (servesApi)
{
    app.MapNewsstandApi();
}

// Another of its web addresses (the dashboard's admin URL) may be taken by the time Kestrel binds it.
return await app.RunUntilStoppedAsync("silo", "Stop that process or configure a free port.");
