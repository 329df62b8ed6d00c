using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Newsstand.Api.Hosting;
using Newsstand.Api.Sockets;
using Newsstand.Hosting;

namespace Newsstand.Api.Apis;

/// <summary>The WebSocket acknowledgement protocol over the customer table, and the service as a client of it.</summary>
internal static class CustomerSocketApi
{
    /// <summary>The socket options, the WebSocket server side (with the origin check) and the self-client.</summary>
    public static WebApplicationBuilder AddCustomerSockets(this WebApplicationBuilder builder)
    {
        builder.Services.AddSettings<CustomerSocketOptions>(CustomerSocketOptions.SectionName);
        builder.Services.AddSingleton<CustomerListSocket>();
        builder.Services.AddSingleton<CustomerListClient>();
        return builder;
    }

    /// <summary>WebSocket upgrades; with allowed origins configured, a socket request from any other origin answers 403.</summary>
    public static WebApplication UseCustomerSockets(this WebApplication app)
    {
        var settings = app.Services.GetRequiredService<IOptions<CustomerSocketOptions>>().Value;
        var sockets = new WebSocketOptions();
        foreach (var origin in settings.AllowedOrigins)
        {
            sockets.AllowedOrigins.Add(origin);
        }
        app.UseWebSockets(sockets);
        return app;
    }

    public static RouteGroupBuilder MapCustomerSocketApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/ch08/customer").WithTags("Customer sockets");

        group.MapGet("/list/ws", ServeAsync)
            .WithName("OpenCustomerSocket")
            .RequireLongLivedPlace()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status426UpgradeRequired)
            .WithSummary("WebSocket: each customer as JSON, acknowledged with {\"rec_id\": id} before the next; closes with 1000 after the last.");
        group.MapGet("/wsclient/list/", ReadOwnSocketAsync)
            .WithName("WalkCustomerSocket")
            .ProducesProblem(StatusCodes.Status502BadGateway)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithSummary("The service walks its own customer socket as a client, acknowledging every record.");

        return group;
    }

    private static async Task<Results<EmptyHttpResult, ProblemHttpResult>> ServeAsync(HttpContext context, CustomerListSocket sockets)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            // 426 and the Upgrade header say exactly what the client must do (RFC 9110 §15.5.22).
            context.Response.Headers.Upgrade = "websocket";
            return TypedResults.Problem(statusCode: StatusCodes.Status426UpgradeRequired, detail: "This route speaks WebSocket: send an upgrade request.");
        }
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        await sockets.ServeAsync(socket, context.RequestAborted);
        return TypedResults.Empty;
    }

    private static async Task<Ok<ReceivedAnswer>> ReadOwnSocketAsync(CustomerListClient client, CancellationToken cancellationToken) =>
        TypedResults.Ok(new ReceivedAnswer("done", await client.ReadAllAsync(cancellationToken)));

    internal sealed record ReceivedAnswer(string Message, int Received);
}
