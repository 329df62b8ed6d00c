using Newsstand.Silo.Hosting;
using Orleans.Dashboard;

var builder = WebApplication.CreateBuilder(args);

builder.AddNewsstandSilo();
builder.AddSiloHealthChecks();

var app = builder.Build();

app.MapSiloHealth();
// The dashboard shows grain state and live logs: the silo's web port binds to loopback by default.
app.MapOrleansDashboard("/dashboard");

app.Run();
