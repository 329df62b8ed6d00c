using System.Globalization;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Newsstand.Hosting;
using Orleans.TestingHost;

namespace Newsstand.Tests.Infrastructure;

/// <summary>
/// Builds an in-process test cluster whose silos carry exactly the production grain setup and talk
/// TCP, so the real web client can connect to a silo's gateway as it does in production.
/// </summary>
internal static class NewsstandCluster
{
    public static async Task<TestCluster> StartAsync(IReadOnlyDictionary<string, string?> settings, Action<TestClusterBuilder>? configure = null)
    {
        var builder = new TestClusterBuilder(1);
        builder.Options.ConnectionTransport = ConnectionTransportType.TcpSocket;
        builder.Options.ConfigureFileLogging = false;
        builder.ConfigureHostConfiguration(configuration => configuration.AddInMemoryCollection(settings));
        builder.AddSiloBuilderConfigurator<GrainsConfigurator>();
        builder.AddClientBuilderConfigurator<StreamsConfigurator>();
        configure?.Invoke(builder);
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }

    /// <summary>The real web client, connected to <paramref name="cluster"/>'s gateway, with extra settings.</summary>
    public static WebApplicationFactory<Program> CreateWebClient(TestCluster cluster, params (string Key, string Value)[] settings) =>
        new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseSetting("Orleans:ClusterId", cluster.Options.ClusterId)
                .UseSetting("Orleans:ServiceId", cluster.Options.ServiceId)
                .UseSetting("Orleans:GatewayPorts:0", cluster.Primary!.GatewayAddress!.Endpoint.Port.ToString(CultureInfo.InvariantCulture))
                // Today's API tests keep the original's anonymous contract; the access tests ask for Auth:Mode=Required.
                .UseSetting("Auth:Mode", "Open")
                // The test server replaces Kestrel; port 0 keeps the web client's port check off appsettings' 8000, which a
                // process on this machine (a run.sh, another test's host) may hold: its start-up would refuse and exit.
                .UseSetting("Urls", "http://127.0.0.1:0");
            web.ConfigureServices(services => services.AddLogging(LogCapture.AddTo));
            foreach (var (key, value) in settings)
            {
                web.UseSetting(key, value);
            }
        });

    /// <summary>Test settings: cheap hashes, and a small lane the lane tests can fill deterministically.</summary>
    public static Dictionary<string, string?> Settings(string dataDirectory, string? postgres = null) => new()
    {
        ["Database:DataDirectory"] = dataDirectory,
        ["Database:Postgres"] = postgres,
        ["Hashing:Iterations"] = "1000",
        ["Hashing:Concurrency"] = "2",
        ["Hashing:QueueLength"] = "4",
        // A consumer retrying after a fault comes back quickly in tests.
        ["Topic:RetryBaseDelay"] = "00:00:00.050",
        ["Topic:RetryMaxDelay"] = "00:00:00.500",
    };

    /// <summary>The test cluster's own client publishes and subscribes like the web client does.</summary>
    private sealed class StreamsConfigurator : IClientBuilderConfigurator
    {
        public void Configure(Microsoft.Extensions.Configuration.IConfiguration configuration, IClientBuilder clientBuilder) =>
            clientBuilder.AddMemoryStreams(ProviderNames.Streams);
    }

    private sealed class GrainsConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            // As the silo host does: incoming calls continue the caller's trace.
            siloBuilder.AddNewsstandGrains().AddActivityPropagation();
            siloBuilder.Services.AddLogging(LogCapture.AddTo);
        }
    }
}
