using Newsstand.Hosting;
using Newsstand.Silo.Hosting;

var builder = WebApplication.CreateBuilder(args);

try
{
    PortCheck.EnsureWebPortsFree(builder.Configuration);
    builder.AddNewsstandSilo();
    builder.AddProfileKeyProtection();
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

try
{
    await app.RunAsync();
}
catch (IOException bind) when (bind.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
{
    // Another of its web addresses (the dashboard's admin URL) is taken.
    await Console.Error.WriteLineAsync($"The silo cannot start: {bind.Message} Stop that process or configure a free port.");
    return 2;
}
return 0;
