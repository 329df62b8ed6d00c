using Newsstand.Hosting;
using Newsstand.Silo.Hosting;

var builder = WebApplication.CreateBuilder(args);

var app = await builder.BuildAsync("silo", builder =>
{
    PortCheck.EnsureWebPortsFree(builder.Configuration);
    builder.AddNewsstandSilo();
    builder.AddProfileKeyProtection();
    builder.AddDashboardAccess();
});
if (app is null)
{
    return HostStartup.CannotStart;
}

app.MapNewsstandHealth();
app.MapNewsstandDashboard();

// Another of its web addresses (the dashboard's admin URL) may be taken by the time Kestrel binds it.
return await app.RunUntilStoppedAsync("silo", "Stop that process or configure a free port.");
