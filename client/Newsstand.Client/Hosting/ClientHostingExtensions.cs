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
    public const string LivePath = "/health/live";
    public const string ReadyPath = "/health/ready";

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
        // The one document by its fixed path: the default "/openapi/{documentName}.json" answered any other name with a plain-text 404.
        app.MapOpenApi("/openapi/v1.json");
        app.MapScalarApiReference("/docs", options => options.WithTitle("NSMS API").WithOpenApiRoutePattern("/openapi/{documentName}.json"));
        return app;
    }

    /// <summary><c>/health/live</c>: the process answers; <c>/health/ready</c>: a grain call through the cluster succeeds.</summary>
    public static WebApplication MapClientHealth(this WebApplication app)
    {
        app.MapHealthChecks(LivePath, new() { Predicate = _ => false });
        app.MapHealthChecks(ReadyPath, new() { Predicate = check => check.Tags.Contains("ready") });
        return app;
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
