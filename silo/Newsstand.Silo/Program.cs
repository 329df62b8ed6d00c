using Newsstand.Hosting;
using Newsstand.Silo.Hosting;

var builder = WebApplication.CreateBuilder(args);

try
{
    builder.AddNewsstandSilo();
    builder.AddDashboardAccess();
}
catch (StartupCheckException problem)
{
    await Console.Error.WriteLineAsync($"The silo cannot start: {problem.Message}");
    return 2;
}

var app = builder.Build();

app.MapNewsstandHealth();
app.MapNewsstandDashboard();

await app.RunAsync();
return 0;
