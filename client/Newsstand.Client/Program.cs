using Newsstand.Client.Apis;
using Newsstand.Client.Hosting;

var builder = WebApplication.CreateBuilder(args);

builder.AddNewsstandClusterClient();
builder.AddNewsstandTelemetry();
builder.AddNewsstandApi();
builder.AddClientHealthChecks();
builder.AddHttpEndpoints();

var app = builder.Build();

app.UseNewsstandErrors();
app.MapNewsstandDocs();
app.MapClientHealth();
app.MapLoginApi();
app.MapRecordsApi();
app.MapAdminWorkloadsApi();
app.MapBillingWorkloadsApi();
app.MapSalesQuotaApi();
app.MapSubscriptionWorkloadsApi();
app.MapNotificationsApi();

app.Run();

/// <summary>The web client's entry point, visible to the API tests' WebApplicationFactory.</summary>
public partial class Program;
