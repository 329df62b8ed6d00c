using Newsstand.Client.Apis;
using Newsstand.Client.Hosting;
using Newsstand.Hosting;

var builder = WebApplication.CreateBuilder(args);

try
{
    PortCheck.EnsureWebPortsFree(builder.Configuration);
    builder.AddHttpEndpoints();
    builder.AddNewsstandClusterClient();
}
catch (StartupCheckException problem)
{
    await Console.Error.WriteLineAsync($"The web client cannot start: {problem.Message}");
    return 2;
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

try
{
    await app.RunAsync();
}
catch (IOException bind) when (bind.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
{
    await Console.Error.WriteLineAsync($"The web client cannot start: {bind.Message} Stop that process or set Urls (or HttpEndpoints__*Port) to a free port.");
    return 2;
}
return 0;

/// <summary>The web client's entry point, visible to the API tests' WebApplicationFactory.</summary>
public partial class Program;
