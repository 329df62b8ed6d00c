using Newsstand.Client.Apis;
using Newsstand.Client.Hosting;
using Newsstand.Hosting;

var builder = WebApplication.CreateBuilder(args);

if (await HostStartup.CheckAsync("web client", () =>
    {
        PortCheck.EnsureWebPortsFree(builder.Configuration);
        builder.AddHttpEndpoints();
        builder.AddNewsstandClusterClient();
    }) is { } refused)
{
    return refused;
}
builder.AddClientTelemetry();
builder.AddNewsstandApi();
builder.AddGrainHealthCheck();
builder.AddMessengerFeed();
builder.AddCustomerSockets();

var app = builder.Build();

app.UseNewsstandErrors();
app.UseCustomerSockets();
app.MapNewsstandDocs();
app.MapNewsstandHealth();
app.MapLoginApi();
app.MapRecordsApi();
app.MapAdminWorkloadsApi();
app.MapBillingWorkloadsApi();
app.MapSalesQuotaApi();
app.MapSubscriptionWorkloadsApi();
app.MapNotificationsApi();
app.MapMessengerTopicApi();
app.MapCustomerSocketApi();

return await app.RunUntilStoppedAsync("web client", "Stop that process or set Urls (or HttpEndpoints__*Port) to a free port.");

/// <summary>The web client's entry point, visible to the API tests' WebApplicationFactory.</summary>
public partial class Program;
