using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Newsstand.Client.Binding;
using Newsstand.Client.Errors;
using Newsstand.Grains;
using Newsstand.Records;
using Scalar.AspNetCore;

namespace Newsstand.Client.Hosting;

internal static class ClientHostingExtensions
{
    /// <summary>The Orleans client; it keeps retrying until a gateway answers, so start order does not matter.</summary>
    public static WebApplicationBuilder AddNewsstandClusterClient(this WebApplicationBuilder builder)
    {
        var cluster = builder.Configuration.GetSection(ClusterClientOptions.SectionName).Get<ClusterClientOptions>() ?? new();
        builder.UseOrleansClient(client => client
            .UseLocalhostClustering(cluster.GatewayPorts is [] ? [ClusterClientOptions.DefaultGatewayPort] : cluster.GatewayPorts, cluster.ServiceId, cluster.ClusterId)
            .UseConnectionRetryFilter(RetryConnectingAsync)
            .AddMemoryStreams(ProviderNames.Streams));
        builder.Services.AddSingleton<Streaming.StreamSubscriptions>();
        return builder;
    }

    /// <summary>JSON contract, problem details, request and connection limits, abuse limits and the OpenAPI document.</summary>
    public static WebApplicationBuilder AddNewsstandApi(this WebApplicationBuilder builder)
    {
        builder.Services.Configure<JsonOptions>(options => NewsstandJson.Configure(options.SerializerOptions));
        builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = BodyProblems.Shape);
        builder.Services.AddExceptionHandler<ProblemExceptionHandler>();
        KestrelLimits.AddTo(builder);
        builder.Services.AddOpenApi(options => options.AddOperationTransformer(QueryParameter.DescribeAsync));
        builder.Services.AddOptions<HeavyRequestOptions>().BindConfiguration(HeavyRequestOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        AbuseLimits.AddTo(builder);
        return builder;
    }

    public static WebApplicationBuilder AddClientHealthChecks(this WebApplicationBuilder builder)
    {
        builder.Services.AddHealthChecks().AddCheck<ClusterHealthCheck>("cluster", tags: ["ready"]);
        return builder;
    }

    /// <summary>Unhandled failures and bare status codes (404, 405) answer with problem+json.</summary>
    public static WebApplication UseNewsstandErrors(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        return app;
    }

    /// <summary>The OpenAPI document at <c>/openapi/v1.json</c> and interactive docs at <c>/docs</c>.</summary>
    public static WebApplication MapNewsstandDocs(this WebApplication app)
    {
        app.MapOpenApi();
        app.MapScalarApiReference("/docs", options => options.WithTitle("NSMS API").WithOpenApiRoutePattern("/openapi/{documentName}.json"));
        return app;
    }

    /// <summary><c>/health/live</c>: the process answers; <c>/health/ready</c>: a grain call through the cluster succeeds.</summary>
    public static WebApplication MapClientHealth(this WebApplication app)
    {
        app.MapHealthChecks("/health/live", new() { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new() { Predicate = check => check.Tags.Contains("ready") });
        return app;
    }

    private static async Task<bool> RetryConnectingAsync(Exception exception, CancellationToken cancellationToken)
    {
        await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        return !cancellationToken.IsCancellationRequested;
    }

    private sealed class ClusterHealthCheck(IGrainFactory grains) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            await grains.TableIndex<LoginView>().CountAsync().WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
            return HealthCheckResult.Healthy();
        }
    }
}
