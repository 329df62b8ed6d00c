using Newsstand.Api.Hosting;
using Newsstand.Client.Hosting;
using Newsstand.Hosting;

var builder = WebApplication.CreateBuilder(args);

var app = await builder.BuildAsync("web client", builder =>
{
    PortCheck.EnsureWebPortsFree(builder.Configuration);
    builder.AddHttpEndpoints();
    builder.AddNewsstandClusterClient();
    builder.AddClientTelemetry();
    builder.AddNewsstandApi();
    builder.AddGrainHealthCheck();
});
if (app is null)
{
    return HostStartup.CannotStart;
}

app.UseNewsstandApi();
app.MapNewsstandHealth();
app.MapNewsstandApi();

return await app.RunUntilStoppedAsync("web client", "Stop that process or set Urls (or HttpEndpoints__*Port) to a free port.");

/// <summary>The web client's entry point, visible to the API tests' WebApplicationFactory.</summary>
public partial class Program;
