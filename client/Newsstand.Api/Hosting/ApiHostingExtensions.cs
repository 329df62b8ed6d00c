using Microsoft.AspNetCore.Http.Json;
using Newsstand.Api.Apis;
using Newsstand.Api.Binding;
using Newsstand.Api.Errors;
using Newsstand.Hosting;
using Scalar.AspNetCore;

namespace Newsstand.Api.Hosting;

/// <summary>
/// The HTTP API as one unit, for whichever host serves it (the thin web client, or a silo serving it itself):
/// what it needs registered (<see cref="AddNewsstandApi"/>), its middleware (<see cref="UseNewsstandApi"/>) and
/// its endpoints (<see cref="MapNewsstandApi"/>, the table of contents of the routes).
/// </summary>
public static class ApiHostingExtensions
{
    /// <summary>JSON contract, problem details, request and connection limits, abuse limits, the OpenAPI document, the feeds and
    /// sockets, and the references to the grains that take writes.</summary>
    public static WebApplicationBuilder AddNewsstandApi(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<OwnerReferences>();
        builder.Services.AddSingleton<WholeListReads>();
        builder.Services.Configure<JsonOptions>(options => NewsstandJson.Configure(options.SerializerOptions));
        builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = BodyProblems.Shape);
        builder.Services.AddExceptionHandler<ProblemExceptionHandler>();
        KestrelLimits.AddTo(builder);
        builder.Services.AddOpenApi(options => options
            .AddDocumentTransformer(OpenApiDescription.NameAsync)
            .AddOperationTransformer(QueryParameter.DescribeAsync)
            .AddSchemaTransformer(OpenApiDescription.LimitTextAsync));
        builder.Services.AddSettings<HeavyRequestOptions>(HeavyRequestOptions.SectionName);
        builder.Services.AddSingleton<Streaming.StreamSubscriptions>();
        AbuseLimits.AddTo(builder);
        builder.AddLongLivedConnections();
        builder.AddMessengerFeed();
        builder.AddCustomerSockets();
        return builder;
    }

    /// <summary>
    /// The API's middleware: unhandled failures and bare status codes (404, 405) answer with problem+json, and
    /// WebSocket upgrades (with the origin check).
    /// </summary>
    public static WebApplication UseNewsstandApi(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseCustomerSockets();
        return app;
    }

    /// <summary>Every route of the API, and its documentation.</summary>
    public static WebApplication MapNewsstandApi(this WebApplication app)
    {
        app.MapNewsstandDocs();
        app.MapLoginApi();
        app.MapRecordsApi();
        app.MapAdminWorkloadsApi();
        app.MapBillingWorkloadsApi();
        app.MapSalesQuotaApi();
        app.MapSubscriptionWorkloadsApi();
        app.MapNotificationsApi();
        app.MapMessengerTopicApi();
        app.MapCustomerSocketApi();
        return app;
    }

    /// <summary>The OpenAPI document at <c>/openapi/v1.json</c> (and <c>/openapi.json</c>) and interactive docs at <c>/docs</c>.</summary>
    private static void MapNewsstandDocs(this WebApplication app)
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
    }
}
