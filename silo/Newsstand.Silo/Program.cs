using Newsstand.Hosting;
using Newsstand.Silo.Hosting;

var builder = WebApplication.CreateBuilder(args);

if (await HostStartup.CheckAsync("silo", () =>
    {
        PortCheck.EnsureWebPortsFree(builder.Configuration);
        builder.AddNewsstandSilo();
        builder.AddProfileKeyProtection();
        builder.AddDashboardAccess();
    }) is { } refused)
{
    return refused;
}

var app = builder.Build();

app.MapNewsstandHealth();
app.MapNewsstandDashboard();

// Another of its web addresses (the dashboard's admin URL) may be taken by the time Kestrel binds it.
return await app.RunUntilStoppedAsync("silo", "Stop that process or configure a free port.");
