using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Newsstand.Api.Access;
using Newsstand.Api.Apis;
using Newsstand.Api.Binding;
using Newsstand.Api.Errors;
using Newsstand.Api.Idempotency;
using Newsstand.Hosting;
using Newsstand.Records;
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
        builder.Services.TryAddSingleton<LocalWholeLists>();
        builder.Services.AddSingleton<LeasedWholeLists>();
        builder.Services.AddSettings<WholeListLeaseOptions>(WholeListLeaseOptions.SectionName);
        builder.Services.Configure<JsonOptions>(options => NewsstandJson.Configure(options.SerializerOptions));
        builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = BodyProblems.Shape);
        builder.Services.AddExceptionHandler<ProblemExceptionHandler>();
        KestrelLimits.AddTo(builder);
        builder.Services.AddOpenApi(options => options
            .AddDocumentTransformer(OpenApiDescription.NameAsync)
            .AddDocumentTransformer(OpenApiAnswers.DescribeAsync)
            .AddDocumentTransformer(OpenApiSecurity.DeclareSchemeAsync)
            .AddOperationTransformer(OpenApiSecurity.DescribeOperationAsync)
            .AddOperationTransformer(QueryParameter.DescribeAsync)
            .AddOperationTransformer(IdempotencyKeyParameter.DescribeAsync)
            .AddSchemaTransformer(OpenApiDescription.LimitTextAsync));
        builder.Services.AddSettings<HeavyRequestOptions>(HeavyRequestOptions.SectionName);
        builder.Services.AddSettings<ReadRetryOptions>(ReadRetryOptions.SectionName);
        builder.Services.AddSingleton<GatewayLosses>();
        builder.Services.AddSingleton<RetriedReads>();
        builder.Services.AddSingleton<Streaming.StreamSubscriptions>();
        TrustedProxies.AddTo(builder);
        AbuseLimits.AddTo(builder);
        builder.AddLongLivedConnections();
        builder.AddWorkloadAnswerLimit();
        builder.AddMessengerFeed();
        builder.AddCustomerSockets();
        builder.AddAccess();
        return builder;
    }

    /// <summary>
    /// The API's middleware: the client address from a trusted proxy's forwarded headers; unhandled failures and bare
    /// status codes (404, 405, 401, 403) answer with problem+json; sign-in and the route's policy; then
    /// <c>Idempotency-Key</c> on POST and PATCH (after sign-in, so a key is scoped to the caller's subject and a refused
    /// request never stores an answer); and WebSocket upgrades (with the origin check). The exception handler and the
    /// status code pages run outside the idempotency keys, for every request (the keys' own failures, the cluster
    /// unreachable: 503, and the 401/403 of sign-in among them), and again inside them only on the requests a key
    /// applies to (<see cref="IdempotencyMiddleware.Applies"/>), so the problem an endpoint's failure or bare status
    /// becomes is the answer a key stores. Every other request (all reads) passes them once.
    /// </summary>
    public static WebApplication UseNewsstandApi(this WebApplication app)
    {
        app.UseTrustedProxies();
        app.UseExceptionHandler();
        // Before sign-in: a bare 401 or 403 gets its problem body.
        app.UseStatusCodePages();
        app.UseAccess();
        app.UseWhen(IdempotencyMiddleware.Applies, keyed =>
        {
            keyed.UseMiddleware<IdempotencyMiddleware>();
            keyed.UseExceptionHandler();
            keyed.UseStatusCodePages();
        });
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
        app.MapOpenApi("/openapi/v1.json").AllowAnonymous();
        app.MapOpenApi("/openapi.json").AllowAnonymous();
        // The page is served from the package's own bundle; nothing is fetched from elsewhere (fonts, AI chat, telemetry).
        app.MapScalarApiReference("/docs", options => options
            .WithTitle("NSMS API")
            .WithOpenApiRoutePattern("/openapi/{documentName}.json")
            .DisableDefaultFonts()
            .DisableAgent()
            .DisableMcp()
            .DisableTelemetry()
            .HideDeveloperTools())
            .AllowAnonymous();
    }
}
