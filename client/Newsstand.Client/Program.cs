using Newsstand.Client.Apis;
using Newsstand.Client.Hosting;

var builder = WebApplication.CreateBuilder(args);

builder.AddNewsstandClusterClient();
builder.AddNewsstandApi();
builder.AddClientHealthChecks();
builder.AddMessengerFeed();
builder.AddCustomerSockets();

var app = builder.Build();

app.UseNewsstandErrors();
app.UseCustomerSockets();
app.MapNewsstandDocs();
app.MapClientHealth();
app.MapLoginApi();
app.MapRecordsApi();
app.MapMessengerTopicApi();
app.MapCustomerSocketApi();

app.Run();

/// <summary>The web client's entry point, visible to the API tests' WebApplicationFactory.</summary>
public partial class Program;
