using Newsstand.Client.Apis;
using Newsstand.Client.Hosting;
using Newsstand.Hosting;

var builder = WebApplication.CreateBuilder(args);

builder.AddNewsstandClusterClient();
builder.AddClientTelemetry();
builder.AddNewsstandApi();
builder.AddGrainHealthCheck();
builder.AddHttpEndpoints();
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

app.Run();

/// <summary>The web client's entry point, visible to the API tests' WebApplicationFactory.</summary>
public partial class Program;
