using Microsoft.AspNetCore.Http.Json;
using Newsstand.Client.Apis;
using Newsstand.Client.Binding;
using Newsstand.Client.Errors;
using Scalar.AspNetCore;

namespace Newsstand.Client.Hosting;

internal static class ClientHostingExtensions
{
    /// <summary>JSON contract, problem details, request and connection limits, abuse limits, the OpenAPI document, and the
    /// references to the grains that take writes.</summary>
    public static WebApplicationBuilder AddNewsstandApi(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<OwnerReferences>();
        builder.Services.Configure<JsonOptions>(options => NewsstandJson.Configure(options.SerializerOptions));
        builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = BodyProblems.Shape);
        builder.Services.AddExceptionHandler<ProblemExceptionHandler>();
        KestrelLimits.AddTo(builder);
        builder.Services.AddOpenApi(options => options
            .AddDocumentTransformer(OpenApiDescription.NameAsync)
            .AddOperationTransformer(QueryParameter.DescribeAsync)
            .AddSchemaTransformer(OpenApiDescription.LimitTextAsync));
        builder.Services.AddOptions<HeavyRequestOptions>().BindConfiguration(HeavyRequestOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        AbuseLimits.AddTo(builder);
        return builder;
    }

    /// <summary>Unhandled failures and bare status codes (404, 405) answer with problem+json.</summary>
    public static WebApplication UseNewsstandErrors(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        return app;
    }

    /// <summary>The OpenAPI document at <c>/openapi/v1.json</c> (and <c>/openapi.json</c>) and interactive docs at <c>/docs</c>.</summary>
    public static WebApplication MapNewsstandDocs(this WebApplication app)
    {
        // The one document by its fixed path: the default "/openapi/{documentName}.json" answered any other name with a plain-text 404.
        app.MapOpenApi("/openapi/v1.json");
        app.MapOpenApi("/openapi.json");
        // The page is served from the package's own bundle; nothing is fetched from elsewhere (fonts, AI chat, telemetry).
        app.MapScalarApiReference("/docs", options => options
            .WithTitle("NSMS API")
            .WithOpenApiRoutePattern("/openapi/{documentName}.json")
            .DisableDefaultFonts()
            .DisableAgent()
            .DisableMcp()
            .DisableTelemetry()
            .HideDeveloperTools());
        return app;
    }
}
